import type { CommandInput, CommandName, CommandOutput, Result, Role } from '../../src/shared/api';
import type { ServerInfo } from './callers';

/**
 * The contract over HTTP, as the renderer's web transport speaks it: specs prepare data this way
 * (fast) and drive the screens for what they test.
 */
export async function invoke<N extends CommandName>(
  server: Pick<ServerInfo, 'origin' | 'secrets'>,
  name: N,
  input: CommandInput<N>,
  role: Role = 'admin',
): Promise<CommandOutput<N>> {
  const response = await fetch(`${server.origin}/api/invoke/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.secrets[role]}` },
    body: JSON.stringify(input),
  });
  const result = (await response.json()) as Result<CommandOutput<N>>;
  if (!result.ok) throw new Error(`${name} failed: ${result.error.kind}: ${result.error.message}${result.error.issues ? ` ${JSON.stringify(result.error.issues)}` : ''}`);
  return result.value;
}
