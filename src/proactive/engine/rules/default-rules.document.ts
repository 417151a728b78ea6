/**
 * The rules the engine runs with when no rules file is given: every built-in
 * trigger that needs no product knowledge, with its default parameters and a
 * default message, plus the bulk-edit offer from the recipes. Written as a
 * rules document so it goes through the same validation as a file.
 */
export const DEFAULT_RULES_DOCUMENT = {
  version: 1,
  rules: [
    {
      id: 'bulk-edit-offer',
      description: 'Editing projects one at a time: offer the bulk editor before the user finishes.',
      priority: 100,
      criteria: {
        repeated_action: { count: 3, within_seconds: 300, match: 'either', url: '/projects/**', label: '^(edit|save)' },
      },
      message:
        'Editing projects one by one? You can change several at once: select them on the Projects page, then More → Bulk edit. Want me to show you?',
      quick_replies: ['Show me', 'No thanks'],
      cooldown_seconds: 3_600,
      intent: 'The user is editing projects one at a time; tell them about bulk edit (select projects on the Projects page, then More → Bulk edit).',
    },
    {
      id: 'rage-click',
      priority: 90,
      criteria: { rage_click: {} },
      message: 'Looks like “{label|that}” isn’t responding. Want a hand?',
      quick_replies: ['Yes, help me', 'No thanks'],
      intent: 'The user is clicking something repeatedly and it does not seem to react; offer help with it.',
    },
    {
      id: 'error-page',
      priority: 80,
      criteria: { error_page: {} },
      message: 'Something went wrong on {page}. Want me to help you get back on track?',
      quick_replies: ['Yes please', 'No thanks'],
      intent: 'The user hit an error page or a failure message; offer to help them recover.',
    },
    {
      id: 'repeated-action',
      priority: 50,
      criteria: { repeated_action: {} },
      message: 'Doing “{label}” again and again? There may be a quicker way. Want me to show you?',
      quick_replies: ['Show me', 'No thanks'],
      intent: 'The user repeats the same action many times; suggest a faster way if the product has one.',
    },
    {
      id: 'ping-pong',
      priority: 40,
      criteria: { ping_pong: {} },
      message: 'Looking for something? You’ve gone back and forth between {page} and {otherPage}. I can point you to it.',
      quick_replies: ['Yes, help me find it', 'No thanks'],
      intent: 'The user bounces between two pages without getting anything done; ask what they are looking for.',
    },
    {
      id: 'page-dwell',
      priority: 20,
      criteria: { page_dwell: {} },
      message: 'Still on {page}? Want a quick tip?',
      quick_replies: ['Sure', 'No thanks'],
      intent: 'The user has been on this page a while without doing much; offer one useful tip about it.',
    },
  ],
};
