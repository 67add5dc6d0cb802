// Local files kdbg writes that cannot be written.
import { createSocket } from 'node:dgram';
import type { CaseGroup } from '../case.ts';
import { sleeper } from '../fixtures.ts';

/** UDP datagrams on this machine's loopback (the fake's pods share it) for 30 s: something for tcpdump to write */
function udpTraffic(port: number): void {
  const socket = createSocket('udp4');
  const timer = setInterval(() => socket.send('kdbg', port, '127.0.0.1'), 50);
  setTimeout(() => {
    clearInterval(timer);
    socket.close();
  }, 30_000).unref();
  timer.unref();
  socket.unref();
}

export const localFiles: CaseGroup = {
  title: 'Local files',
  cases: [
    { id: 'capture-write-missing-dir', title: 'kdbg capture -w into a directory that does not exist', pods: [sleeper()], args: (env) => ['capture', 'web-0', '-w', `${env.dir}/nosuch/web.pcap`], exit: 125, stderr: 'kdbg: cannot write {dir}/nosuch/web.pcap: no such file or directory (ENOENT)', createsNothing: true },
    {
      id: 'capture-write-fails',
      title: 'kdbg capture -w to a file that fails while written (a full disk)',
      pods: [sleeper()],
      setup: () => udpTraffic(17099),
      args: ['capture', 'web-0', '-i', 'lo', '-f', 'udp port 17099', '-w', '/dev/full'],
      exit: 125,
      stderr: 'kdbg: cannot write /dev/full: no space left on device (ENOSPC); tcpdump was stopped',
      block: true,
    },
    {
      id: 'stdout-full',
      title: "a one-shot whose stdout cannot be written (a full disk behind `>`): the remote command is stopped",
      pods: [sleeper()],
      args: ['attach', 'web-0', '-q', '--', 'sh', '-c', 'while :; do echo y; done'],
      stdoutFile: '/dev/full',
      exit: 125,
      stderr: 'kdbg: cannot write stdout: no space left on device (ENOSPC); the session was ended',
    },
    { id: 'stdout-full-listing', title: 'a listing whose stdout cannot be written', args: ['profiles'], stdoutFile: '/dev/full', exit: 125, stderr: 'kdbg: cannot write stdout: no space left on device (ENOSPC)' },
  ],
};
