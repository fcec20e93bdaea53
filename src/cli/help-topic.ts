import type { Command } from 'commander';

/**
 * Pure: the topic of `framepipe [command...] help <topic>` when no such command exists there.
 * Commander then prints the whole help with exit 1 and no word on what was wrong.
 */
export function unknownHelpTopic(program: Command, args: readonly string[]): string | undefined {
  let cmd = program;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === 'help') {
      const topic = args[i + 1];
      const known = topic === undefined || topic.startsWith('-') || findCommand(cmd, topic);
      return known ? undefined : topic;
    }
    const sub = findCommand(cmd, arg);
    if (sub === undefined) {
      return undefined;
    }
    cmd = sub;
  }
  return undefined;
}

function findCommand(cmd: Command, name: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
}
