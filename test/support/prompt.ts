/**
 * Reading the copilot's prompts in tests. Every request carries its own boundary code:
 * blocks run from `<<<NAME <code>` to `<code> NAME>>>`, and the person's words follow
 * `User message (boundary code <code>):`.
 */
export function boundaryOf(prompt: string): string {
  const m = /boundary code ([0-9a-f]{12})\)?:/.exec(prompt);
  if (!m) throw new Error(`no boundary code in prompt:\n${prompt}`);
  return m[1];
}

/** The content of one data block, or undefined when the prompt has none. */
export function dataBlock(prompt: string, name: string): string | undefined {
  const m = new RegExp(`<<<${name} ([0-9a-f]{12})\\n([\\s\\S]*?)\\n\\1 ${name}>>>`).exec(prompt);
  return m?.[2];
}

/** The person's words, as the prompt hands them to the model. */
export function userMessageOf(prompt: string): string {
  const code = boundaryOf(prompt);
  const marker = `User message (boundary code ${code}):\n`;
  const i = prompt.lastIndexOf(marker);
  if (i < 0) throw new Error('no user message section');
  return prompt.slice(i + marker.length);
}
