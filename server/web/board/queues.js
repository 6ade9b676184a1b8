// The board's queues: each a named view of GET /api/v1/jobs (which states, which extra filters). A feature with
// a queue of its own registers it from its own module (register_queue) and imports that module in index.html.
const queues = [];

// {id, label: i18n key, states: [..], a function of the workflow table giving them, or null for all,
//  params: {extra query parameters}}
export function register_queue(queue) {
  const at = queues.findIndex((q) => q.id === queue.id);
  if (at >= 0) queues[at] = queue; else queues.push(queue);
}

export const all_queues = () => queues;

// Open: every state of the workflow table that is neither terminal nor accepted (waiting to be closed).
register_queue({ id: 'open', label: 'q_open', states: (wf) => wf.states.filter((s) => !wf.terminal.includes(s) && s !== 'accepted') });
register_queue({ id: 'to_close', label: 'q_to_close', states: ['accepted'] });
register_queue({ id: 'closed', label: 'q_closed', states: ['closed'] });
register_queue({ id: 'cancelled', label: 'q_cancelled', states: ['cancelled'] });
register_queue({ id: 'all', label: 'q_all', states: null });
