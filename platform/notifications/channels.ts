// Notifications that reach people (issue 16.3): the channels a user may choose and what each one
// is sent. Pure: the senders (activities/notifications.ts) post what these functions build.
import { renderNotice, type NoticeLanguage } from './texts.ts';

export const notificationChannels = ['email', 'dingtalk', 'feishu'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** A notice as it is delivered: what the `notifications` row says. */
export interface Notice {
  key: string;
  userId: string;
  processId: string | null;
  taskId: string | null;
  kind: string;
  /** The English text; `params` render it in either language (texts.ts). */
  text: string;
  params?: unknown;
  /** The recipient's language; null: the company's. */
  language?: NoticeLanguage | null;
  createdAt: Date;
}

/** One message for a channel: a subject line and a plain-text body. */
export interface Message {
  subject: string;
  body: string;
}

const SUBJECT_PREFIX = 'Custodian';

/** Where a notice points a reader: the process (and task) it is about, linked when the API's public URL is known. */
function reference(notice: Notice, publicUrl: string | undefined): string | undefined {
  if (notice.processId === null) return undefined;
  const task = notice.taskId ? `, task ${notice.taskId}` : '';
  const link = publicUrl ? ` ${publicUrl.replace(/\/$/, '')}/api/v1/processes/${encodeURIComponent(notice.processId)}` : '';
  return `process ${notice.processId}${task}${link}`;
}

/** A notice's text as its recipient reads it: their language, else the company's (COMPANY_LANGUAGE). */
export function recipientText(notice: Notice, companyLanguage: NoticeLanguage): string {
  return renderNotice(notice, notice.language ?? companyLanguage);
}

export function noticeMessage(notice: Notice, publicUrl?: string, companyLanguage: NoticeLanguage = 'zh'): Message {
  const about = reference(notice, publicUrl);
  const text = recipientText(notice, companyLanguage);
  return {
    subject: `${SUBJECT_PREFIX}: ${text.split('\n')[0]!.slice(0, 120)}`,
    body: [text, ...(about ? ['', about] : [])].join('\n'),
  };
}

/** One message for a day's notices, oldest first. */
export function digestMessage(notices: Notice[], day: string, publicUrl?: string, companyLanguage: NoticeLanguage = 'zh'): Message {
  const lines = notices.map((notice) => {
    const about = reference(notice, publicUrl);
    return `- ${notice.createdAt.toISOString()} ${recipientText(notice, companyLanguage)}${about ? ` (${about})` : ''}`;
  });
  return {
    subject: `${SUBJECT_PREFIX}: ${notices.length} notification${notices.length === 1 ? '' : 's'} (${day})`,
    body: lines.join('\n'),
  };
}

/** The DingTalk custom robot's text message (钉钉自定义机器人, msgtype text). */
export function dingTalkPayload(message: Message): Record<string, unknown> {
  return { msgtype: 'text', text: { content: `${message.subject}\n${message.body}` } };
}

/** The Feishu custom bot's text message (飞书自定义机器人, msg_type text). */
export function feishuPayload(message: Message): Record<string, unknown> {
  return { msg_type: 'text', content: { text: `${message.subject}\n${message.body}` } };
}

/**
 * Whether a robot's answer reports success. Both answer HTTP 200 for refused messages too and
 * say so in the body: DingTalk `{"errcode":0}`, Feishu `{"code":0}` (older: `{"StatusCode":0}`).
 */
export function robotAccepted(channel: 'dingtalk' | 'feishu', body: unknown): { ok: true } | { ok: false; reason: string } {
  const answer = (body ?? {}) as Record<string, unknown>;
  const code = channel === 'dingtalk' ? answer.errcode : (answer.code ?? answer.StatusCode);
  if (code === 0 || code === '0') return { ok: true };
  const reason = channel === 'dingtalk' ? answer.errmsg : (answer.msg ?? answer.StatusMessage);
  return { ok: false, reason: `${channel} answered code ${String(code)}${reason ? `: ${String(reason)}` : ''}` };
}
