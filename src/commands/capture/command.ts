import { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { CaptureFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';
import { addDebugContainerOptions } from '../debug-container-flags.ts';

export function captureCommand(ctx: CommandContext): Command {
  const cmd = new Command('capture')
    .summary("capture a pod's packets with tcpdump in a debug container")
    .description(
      "Runs tcpdump in a netshoot debug container in the pod's network namespace (reused when possible) and writes\n" +
        'pcap to a file or a pipe. Ctrl-C, SIGTERM, --duration, --count or a closed pipe stop it cleanly: tcpdump ' +
        'flushes, the file ends with whole records, kdbg exits 0 and says on stderr what was captured.',
    )
    .argument('[target]', 'POD, pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME')
    .option('-l, --selector <selector>', 'the pods with these labels (with -w DIR/: every one of them)')
    .option('-i, --interface <iface>', 'interface', 'any')
    .option('-f, --filter <expression>', 'tcpdump filter, e.g. "port 5432" (passed as arguments, never through a shell)')
    .option('-w, --write <file>', 'pcap file; DIR/ for one DIR/POD.pcap per pod of the target; - for stdout (default: stdout when it is not a terminal)')
    .option('--duration <duration>', 'stop after this long, counted from when tcpdump is listening')
    .option('--count <n>', 'stop after this many packets')
    .option('--snaplen <bytes>', 'bytes kept of each packet (default: whole packets)')
    .option('--wireshark', 'open the capture in a local `wireshark -k -i -`')
    .addHelpText('after', '\nExamples:\n  kdbg capture web-0 -f "port 8080" -w web.pcap --duration 30s\n  kdbg capture web-0 -i lo | wireshark -k -i -\n  kdbg capture deploy/api -f "port 5432" -w incident-42/ --duration 30s\n');
  addDebugContainerOptions(cmd, 'debug container profile with tcpdump', 'netshoot');
  addClusterOptions(cmd);
  cmd.action((target: string | undefined, flags: CaptureFlags) =>
    ctx.run(async (io) => {
      const { planCapture } = await import('./options.ts');
      const plan = planCapture(flags, target, Boolean(io.stdout.isTTY));
      const { runCapture } = await import('./run.ts');
      return runCapture(plan, io);
    }),
  );
  return cmd;
}
