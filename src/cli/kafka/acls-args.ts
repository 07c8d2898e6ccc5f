/**
 * kafka-acls.sh as `gregor acl`: Kafka's action flags become the sub-command (--add: create,
 * --remove: delete, --list: list) and --force (which only skips Kafka's confirmation prompt; gregor
 * acl never prompts) is dropped; every other flag is already kafka-acls.sh's (src/cli/commands/acl.ts).
 * Output is `gregor acl`'s table, not Kafka's text.
 */
const ACTIONS: Record<string, string> = { '--add': 'create', '--remove': 'delete', '--list': 'list' };

/** The `gregor` arguments for kafka-acls.sh's; a missing or doubled action gives Kafka's message. */
export function kafkaAclsArgs(args: readonly string[]): { argv: string[] } | { error: string } {
  const actions = args.filter((a) => ACTIONS[a] !== undefined);
  if (actions.length !== 1) return { error: 'Command must include exactly one action: --list, --add, --remove. ' };
  const rest = args.filter((a) => ACTIONS[a] === undefined && a !== '--force');
  return { argv: ['acl', ACTIONS[actions[0]!]!, ...rest] };
}
