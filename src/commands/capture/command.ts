import { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { CaptureFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';

export function captureCommand(ctx: CommandContext): Command {
  const cmd = new Command('capture')
    .summary("capture a pod's packets with tcpdump in a debug container")
    .description(
      "Runs tcpdump in a netshoot debug container in the pod's network namespace (reused when possible) and writes\n" +
        'pcap to a file or a pipe. Ctrl-C, SIGTERM, --duration, --count or a closed pipe stop it cleanly: tcpdump\n' +
        'flushes, the file ends with whole records, kdbg exits 0 and says on stderr what was captured.',
    )
    .argument('<target>', 'POD, pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME')
    .option('-c, --target <container>', 'container whose network namespace to capture in (default: as attach)')
    .option('-i, --interface <iface>', 'interface', 'any')
    .option('-f, --filter <expression>', 'tcpdump filter, e.g. "port 5432" (passed as arguments, never through a shell)')
    .option('-w, --write <file>', 'pcap file, or - for stdout (default: stdout when it is not a terminal)')
    .option('--duration <duration>', 'stop after this long')
    .option('--count <n>', 'stop after this many packets')
    .option('--snaplen <bytes>', 'bytes kept of each packet (default: whole packets)')
    .option('--wireshark', 'open the capture in a local `wireshark -k -i -`')
    .option('-p, --profile <name>', 'debug container profile with tcpdump', 'netshoot')
    .option('--image <image>', "use this image instead of the profile's")
    .option('--config <path>', 'kdbg config file with custom profiles')
    .option('--reason <text>', 'why you are capturing; recorded in the container and in the pod\'s events')
    .option('--ttl <duration>', 'how long the debug container idles after the last session (at most 168h)', '15m')
    .option('--new', 'add a new debug container even if one of yours can be reused')
    .option('--timeout <duration>', 'how long to wait for the debug container to start (at most 24h)', '2m')
    .addHelpText('after', '\nExamples:\n  kdbg capture web-0 -f "port 8080" -w web.pcap --duration 30s\n  kdbg capture web-0 -i lo | wireshark -k -i -\n');
  addClusterOptions(cmd);
  cmd.action((target: string, flags: CaptureFlags) =>
    ctx.run(async (io) => {
      const { planCapture } = await import('./options.ts');
      const plan = planCapture(flags, target, Boolean(io.stdout.isTTY));
      const { runCapture } = await import('./run.ts');
      return runCapture(plan, io);
    }),
  );
  return cmd;
}
