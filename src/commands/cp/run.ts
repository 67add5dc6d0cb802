// kdbg cp: tar in the debug container over an exec, node-tar here; the target needs no tar, no shell.
import { PassThrough } from 'node:stream';
import type { IO } from '../../io.ts';
import type { CpPlan } from './options.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { copyInCommand, copyOutCommand } from '../../debug/copy-programs.ts';
import { targetRoot } from '../../debug/target-root.ts';
import { runSession } from '../../session/runner.ts';
import { withClient } from '../cluster.ts';
import { inDebugContainer, sessionIn } from '../pipeline.ts';
import { chosenProfile, pipelineRequest } from '../debug-container-flags.ts';
import { KdbgError } from '../../errors.ts';
import { localSize, packLocal, unpackTo, type LeftOut } from './local-tar.ts';
import { copyFailure } from './failure.ts';
import { countingStage } from '../../ui/transfer.ts';

export async function runCp(plan: CpPlan, io: IO): Promise<number> {
  const { flags } = plan;
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const profile = chosenProfile(catalog, flags.profile, flags);
  const packed = plan.direction === 'in' ? packLocal(plan.local) : undefined;
  const unpacking = plan.direction === 'out' ? await unpackTo(plan.local) : undefined;
  // what the session's event on the pod says it runs: the program itself waits for the pod, which says where to look
  const described = ['kdbg cp', plan.direction, plan.remote];
  try {
    return await withClient(flags, io, async (client) => {
      const interrupts = io.interrupts();
      try {
        const request = pipelineRequest(flags, plan, plan.target, profile, described, interrupts.signal);
        // a target whose files cannot be told apart is refused before a debug container is added for it
        if (!flags.debugFs) request.vet = (pod, target) => void targetRoot(pod, target);
        return await inDebugContainer(client, request, io, async (c) => {
          const pod = c.pod;
          const target = c.container.targetContainerName!;
          const where = flags.debugFs ? '' : targetRoot(pod, target);
          const command = packed ? copyInCommand(where, plan.remote, packed.name) : copyOutCommand(where, plan.remote);
          const said = new PassThrough();
          let text = '';
          said.on('data', (chunk: Buffer) => (text += chunk.toString()));
          const label = `Copying ${plan.direction === 'out' ? `${plan.remote} out of` : `${plan.local} into`} ${pod.metadata!.name}`;
          const progress = await io.progress(label);
          // on a terminal, a stage that counts the bytes for the progress line
          const counter = progress.shown ? countingStage(progress, label, packed ? await localSize(plan.local) : undefined) : undefined;
          const stdin = packed && counter ? packed.stream.pipe(counter) : packed?.stream;
          const sink = unpacking?.sink ?? new PassThrough().resume();
          const stdout = unpacking && counter ? counter : sink;
          if (stdout !== sink) stdout.pipe(sink);
          const end = await runSession({
            ...sessionIn(client, c, io, plan, interrupts.signal),
            command,
            tty: false,
            stdin,
            stdout,
            stderr: said,
            escapeChar: undefined,
          }).finally(() => progress.stop());
          if (end.kind === 'stopped') throw new KdbgError('interrupted', 'copy interrupted');
          if (end.code !== 0) {
            throw copyFailure(end.code, text, { pod, target, profile, harden: flags.harden === true, ptrace: catalog.get('ptrace'), debugFs: flags.debugFs === true });
          }
          if (unpacking) {
            stdout.end();
            const { dest, leftOut } = await unpacking.finish(lastName(plan.remote));
            io.note(`copied ${pod.metadata!.name}:${plan.remote} to ${dest}${describeLeftOut(leftOut)}`);
          } else {
            io.note(`copied ${plan.local} to ${pod.metadata!.name}:${plan.remote}`);
          }
          return 0;
        });
      } finally {
        interrupts.close();
      }
    });
  } finally {
    await unpacking?.discard();
  }
}

function describeLeftOut({ links, specials }: LeftOut): string {
  const parts = [
    links ? `${plural(links, 'symlink')} pointing outside the copy` : '',
    specials ? `${plural(specials, 'device or FIFO', 'devices or FIFOs')}` : '',
  ].filter(Boolean);
  return parts.length ? ` (left out: ${parts.join(', ')})` : '';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function lastName(remote: string): string {
  return remote.replace(/\/+$/, '').split('/').pop()!;
}
