// Secrecy levels, highest first in the policy: Top Secret 绝密 · Confidential 机密 · Secret 秘密 · Non-classified 非密.

export const secrecyLevels = ['none', 'secret', 'confidential', 'top_secret'] as const;
export type SecrecyLevel = (typeof secrecyLevels)[number];

export const secrecyLabels: Record<SecrecyLevel, { en: string; zh: string }> = {
  none: { en: 'Non-classified', zh: '非密' },
  secret: { en: 'Secret', zh: '秘密' },
  confidential: { en: 'Confidential', zh: '机密' },
  top_secret: { en: 'Top Secret', zh: '绝密' },
};

export function isSecrecyLevel(value: unknown): value is SecrecyLevel {
  return typeof value === 'string' && (secrecyLevels as readonly string[]).includes(value);
}

/** True when `level` is at or below `ceiling`; an unknown level is treated as the highest. */
export function withinSecrecy(level: string | null, ceiling: string): boolean {
  const rank = (value: string | null) => (value === null ? 0 : isSecrecyLevel(value) ? secrecyLevels.indexOf(value) : secrecyLevels.length);
  return rank(level) <= rank(ceiling);
}
