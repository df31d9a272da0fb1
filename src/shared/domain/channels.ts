/** The delivery channels a space can have. The order is the order screens list them in. */
export const CHANNELS = ['SMS', 'WhatsApp', 'Email', 'Push', 'RCS'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** MT: mobile-terminated (sent by the platform, consumes credits). MO: mobile-originated (free). */
export const DIRECTIONS = ['MT', 'MO'] as const;
export type Direction = (typeof DIRECTIONS)[number];
