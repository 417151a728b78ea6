/**
 * The demo's simulated users: each one walks through a short script of typed actions on
 * the demo product's pages, one action per DEMO_STEP_MS, then rests and starts over in a
 * new session. Their stories are picked so that the demo rules (examples/demo/rules.yml)
 * have something to notice: bulk editing, ping-pong, idling, an error page, and one user
 * the copilot should leave alone.
 */
export type DemoActionType = 'pageview' | 'click' | 'submit';

export interface DemoStep {
  type: DemoActionType;
  title: string;
  /** The page, as the browser would report it (ids included). */
  path: string;
}

export interface DemoUser {
  userId: string;
  email: string;
  story: string;
  /** The demo rule this user's script is written to trigger (none for the user who is fine). */
  expectedRule?: string;
  steps: DemoStep[];
  /** Steps of silence after the script before the next session (the idler's long stay is its rest). */
  restSteps: number;
}

export const DEMO_PRODUCT_ID = 'demo';

const view = (path: string, page: string): DemoStep => ({ type: 'pageview', title: `Viewed ${page}`, path });
const click = (path: string, label: string): DemoStep => ({ type: 'click', title: `Clicked '${label}'`, path });
const submit = (path: string, label: string): DemoStep => ({ type: 'submit', title: `Submitted '${label}'`, path });

const PROJECTS: Array<[string, string]> = [
  ['101', 'Website redesign'],
  ['102', 'Mobile app launch'],
  ['103', 'Q3 marketing plan'],
  ['104', 'Customer onboarding'],
];

/** Opens each project, edits it and saves, one by one: what the bulk editor (Projects → More → Bulk edit) is for. */
const editOneByOne: DemoStep[] = [
  view('/demo/projects', 'Projects'),
  ...PROJECTS.flatMap(([id, name]) => [
    click('/demo/projects', name),
    view(`/demo/projects/${id}`, name),
    click(`/demo/projects/${id}`, 'Edit'),
    submit(`/demo/projects/${id}`, 'Save changes'),
    view('/demo/projects', 'Projects'),
  ]),
];

export const DEMO_USERS: readonly DemoUser[] = [
  {
    userId: 'demo-maya',
    email: 'maya.bulk@example.com',
    story: 'edits projects one by one',
    expectedRule: 'demo-bulk-edit',
    steps: editOneByOne,
    restSteps: 20,
  },
  {
    userId: 'demo-leo',
    email: 'leo.billing@example.com',
    story: 'goes back and forth between Billing and Settings',
    expectedRule: 'demo-billing-lost',
    steps: [
      view('/demo', 'Dashboard'),
      ...[1, 2, 3, 4].flatMap(() => [view('/demo/billing', 'Billing'), view('/demo/settings', 'Settings')]),
    ],
    restSteps: 20,
  },
  {
    userId: 'demo-ines',
    email: 'ines.idle@example.com',
    story: 'opens Reports and stays there without doing anything',
    expectedRule: 'demo-idle',
    steps: [view('/demo', 'Dashboard'), view('/demo/reports', 'Reports')],
    restSteps: 40,
  },
  {
    userId: 'demo-sam',
    email: 'sam.error@example.com',
    story: 'opens a report that fails and lands on an error page',
    expectedRule: 'demo-error',
    steps: [view('/demo/reports', 'Reports'), click('/demo/reports', 'Quarterly revenue'), view('/demo/error/500', 'Something went wrong')],
    restSteps: 25,
  },
  {
    userId: 'demo-noor',
    email: 'noor.fine@example.com',
    story: 'invites a teammate and exports a report: nothing to help with',
    steps: [
      view('/demo', 'Dashboard'),
      view('/demo/team', 'Team'),
      click('/demo/team', 'Invite member'),
      submit('/demo/team', 'Send invite'),
      view('/demo/reports', 'Reports'),
      click('/demo/reports', 'Export CSV'),
      view('/demo', 'Dashboard'),
    ],
    restSteps: 30,
  },
];
