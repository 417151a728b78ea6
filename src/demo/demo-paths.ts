/** `/demo/projects/101` → `/demo/projects/:id`: the demo's record ids are numbers (as the snippet's canonicalisation sees them). */
export function canonicalDemoPath(path: string): string {
  return path.replace(/\/\d+(?=\/|$)/g, '/:id');
}
