import { escapeHtml } from './demo-layout';

/** The demo product's data: a handful of projects, people and invoices. */
export const DEMO_PROJECTS = [
  { id: '101', name: 'Website redesign', owner: 'Maya', status: 'In progress', due: 'Jul 12' },
  { id: '102', name: 'Mobile app launch', owner: 'Leo', status: 'Planning', due: 'Aug 3' },
  { id: '103', name: 'Q3 marketing plan', owner: 'Ines', status: 'In progress', due: 'Jun 28' },
  { id: '104', name: 'Customer onboarding', owner: 'Sam', status: 'Done', due: 'Jun 2' },
  { id: '105', name: 'Data warehouse', owner: 'Noor', status: 'Blocked', due: 'Sep 15' },
];

export interface DemoPage {
  title: string;
  body: string;
}

export function dashboard(): DemoPage {
  return {
    title: 'Dashboard',
    body: `<div class="grid">
<div class="card"><div class="muted">Active projects</div><div class="stat">4</div><a href="/demo/projects">View projects</a></div>
<div class="card"><div class="muted">Team members</div><div class="stat">6</div><a href="/demo/team">Manage team</a></div>
<div class="card"><div class="muted">Plan</div><div class="stat">Team</div><a href="/demo/billing">Billing</a></div></div>
<div class="card"><h3>Quick actions</h3><a class="btn" href="/demo/projects/new">New project</a> <a class="btn secondary" href="/demo/reports">Open reports</a></div>`,
  };
}

export function projects(saved?: string): DemoPage {
  const rows = DEMO_PROJECTS.map((p) => `<tr><td><input type="checkbox" aria-label="Select ${p.name}" style="width:auto"></td><td><a href="/demo/projects/${p.id}">${p.name}</a></td><td>${p.owner}</td><td>${p.status}</td><td>${p.due}</td></tr>`).join('');
  const done = DEMO_PROJECTS.find((p) => p.id === saved);
  return {
    title: 'Projects',
    body: `${done ? `<div class="card ok">Saved “${escapeHtml(done.name)}”.</div>` : ''}
<div class="card"><a class="btn" href="/demo/projects/new">New project</a>
<details><summary class="btn secondary">More</summary><ul><li><a href="/demo/projects/bulk-edit">Bulk edit</a></li><li><a href="/demo/reports">Export</a></li><li><a href="/demo/projects?archived=1">Archive</a></li></ul></details>
<table><thead><tr><th></th><th>Name</th><th>Owner</th><th>Status</th><th>Due</th></tr></thead><tbody>${rows}</tbody></table></div>`,
  };
}

export function projectEditor(id: string): DemoPage | undefined {
  const p = DEMO_PROJECTS.find((x) => x.id === id);
  if (!p) return undefined;
  const statuses = ['Planning', 'In progress', 'Blocked', 'Done'].map((s) => `<option${s === p.status ? ' selected' : ''}>${s}</option>`).join('');
  return {
    title: p.name,
    body: `<div class="card"><form name="project" aria-label="Edit project" action="/demo/projects" method="get">
<input type="hidden" name="saved" value="${p.id}">
<label for="name">Name</label><input id="name" name="name" value="${p.name}">
<label for="owner">Owner</label><input id="owner" name="owner" value="${p.owner}">
<label for="status">Status</label><select id="status" name="status">${statuses}</select>
<p><button class="btn" type="submit">Save changes</button> <a class="btn secondary" href="/demo/projects">Cancel</a></p></form></div>`,
  };
}

export function bulkEdit(): DemoPage {
  return {
    title: 'Bulk edit',
    body: `<div class="card"><p>Change the owner, status or due date of every selected project at once.</p>
<label for="bulk-status">Status</label><select id="bulk-status"><option>In progress</option><option>Done</option></select>
<p><a class="btn" href="/demo/projects">Apply to 5 projects</a></p></div>`,
  };
}

export function newProject(): DemoPage {
  return {
    title: 'New project',
    body: `<div class="card"><form name="new-project" action="/demo/projects" method="get"><label for="np">Name</label><input id="np" name="name" placeholder="Project name">
<p><button class="btn" type="submit">Create project</button></p></form></div>`,
  };
}

export function team(invited: boolean): DemoPage {
  const people = ['Maya (admin)', 'Leo', 'Ines', 'Sam', 'Noor', 'Alex'].map((n) => `<tr><td>${n}</td><td class="muted">member</td></tr>`).join('');
  return {
    title: 'Team',
    body: `${invited ? '<div class="card ok">Invitation sent.</div>' : ''}
<div class="card"><h3>Invite a teammate</h3><form name="invite" action="/demo/team" method="get"><input type="hidden" name="invited" value="1">
<label for="email">Email</label><input id="email" type="email" name="email" placeholder="teammate@example.com">
<label for="role">Role</label><select id="role" name="role"><option>Member</option><option>Admin</option></select>
<p><button class="btn" type="submit">Send invite</button></p></form></div>
<div class="card"><table>${people}</table></div>`,
  };
}

export function billing(): DemoPage {
  const invoices = ['May 2026', 'April 2026', 'March 2026'].map((m) => `<tr><td>${m}</td><td>$120.00</td><td><button class="btn secondary" type="button">Download PDF</button></td></tr>`).join('');
  return {
    title: 'Billing',
    body: `<div class="card"><h3>Plan</h3><p>Team plan · 6 seats · $120 / month</p><button class="btn" type="button">Change plan</button> <a class="btn secondary" href="/demo/settings">Payment settings</a></div>
<div class="card" id="invoices"><h3>Invoices</h3><table>${invoices}</table></div>`,
  };
}

export function settings(): DemoPage {
  return {
    title: 'Settings',
    body: `<div class="card"><form name="workspace" action="/demo/settings" method="get"><label for="ws">Workspace name</label><input id="ws" name="workspace" value="Acme">
<label for="tz">Time zone</label><select id="tz" name="tz"><option>UTC</option><option>Europe/Paris</option></select>
<p><button class="btn" type="submit">Save settings</button> <a class="btn secondary" href="/demo/billing">Billing &amp; invoices</a></p></form></div>`,
  };
}

export function reports(): DemoPage {
  return {
    title: 'Reports',
    body: `<div class="card"><table>
<tr><td>Project velocity</td><td><button class="btn secondary" type="button">Export CSV</button></td></tr>
<tr><td>Team workload</td><td><button class="btn secondary" type="button">Export CSV</button></td></tr>
<tr><td><a href="/demo/error/500">Quarterly revenue</a></td><td class="muted">(fails, on purpose)</td></tr></table></div>`,
  };
}

export function errorPage(): DemoPage {
  return {
    title: 'Something went wrong',
    body: `<div class="card"><p>The report could not be generated (error 500). Try again in a minute.</p><a class="btn" href="/demo/reports">Back to reports</a></div>`,
  };
}
