// Delivery of notices to people (issue 16.3): e-mail over SMTP and the DingTalk and Feishu robots.
// The delivery workflow (workflows/notifications.ts) calls these; each delivery is one notice on
// one channel, recorded in notification_deliveries, and sent at most once once it is recorded
// delivered, however often Temporal retries or redelivers the activity.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Sql } from '../db/client.ts';
import {
  deliveryToSend,
  digestRecipients,
  digestSent,
  dispatchNotices,
  markDeliveryFailed,
  noticesBetween,
  pendingDeliveries,
  recordAttempt,
  type DeliveryRef,
} from './sql.ts';
import { dingTalkPayload, digestMessage, feishuPayload, noticeMessage, recipientText, robotAccepted, type Message, type NotificationChannel } from './channels.ts';
import { POLICY_TIME_ZONE } from '../../engine/definition/feel.ts';

/** How the worker reaches people (config.ts: SMTP_URL, SMTP_FROM, NOTIFY_CONSOLE, PUBLIC_URL). */
export interface NotificationSettings {
  /** smtp://user:password@host:587 or smtps://...; unset: e-mail deliveries fail with a clear error. */
  smtpUrl?: string;
  from: string;
  /** Links in messages point here. */
  publicUrl?: string;
  /** Print each notice on the console as it is taken up (local mode). */
  console: boolean;
  /** How long one robot call may take. */
  webhookTimeoutMs?: number;
  /** How often the waiting take-up looks for new notices. */
  pollMs?: number;
  /** The only hosts robot webhooks may be on (NOTIFY_WEBHOOK_HOSTS); absent or containing "*": any. */
  webhookHosts?: string[];
  /** The language of a recipient who has not chosen one (COMPANY_LANGUAGE); zh when absent. */
  companyLanguage?: 'zh' | 'en';
}

export type NotificationConfig = Pick<Config, 'SMTP_URL' | 'SMTP_FROM' | 'NOTIFY_CONSOLE' | 'NOTIFY_WEBHOOK_HOSTS' | 'PUBLIC_URL'> & Partial<Pick<Config, 'COMPANY_LANGUAGE'>>;

export function notificationSettings(config: NotificationConfig): NotificationSettings {
  return { smtpUrl: config.SMTP_URL, from: config.SMTP_FROM, publicUrl: config.PUBLIC_URL, console: config.NOTIFY_CONSOLE, webhookHosts: config.NOTIFY_WEBHOOK_HOSTS, companyLanguage: config.COMPANY_LANGUAGE };
}

export const defaultNotificationSettings: NotificationSettings = { from: 'Custodian <custodian@localhost>', console: false };

const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
const DEFAULT_POLL_MS = 1_000;
export const NOT_CONFIGURED = 'CHANNEL_NOT_CONFIGURED';
export const HOST_NOT_ALLOWED = 'WEBHOOK_HOST_NOT_ALLOWED';

export function createNotificationActivities(deps: { sql: Sql; settings?: NotificationSettings; log?: (line: string) => void }) {
  const { sql } = deps;
  const settings = deps.settings ?? defaultNotificationSettings;
  const log = deps.log ?? ((line: string) => console.log(line));
  const transport = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : undefined;

  async function postRobot(channel: 'dingtalk' | 'feishu', url: string, message: Message): Promise<void> {
    const allowed = settings.webhookHosts;
    const host = new URL(url).hostname.toLowerCase();
    if (allowed && !allowed.includes('*') && !allowed.includes(host)) {
      throw ApplicationFailure.nonRetryable(`${channel} webhook host ${host} is not in NOTIFY_WEBHOOK_HOSTS`, HOST_NOT_ALLOWED);
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(channel === 'dingtalk' ? dingTalkPayload(message) : feishuPayload(message)),
      signal: AbortSignal.timeout(settings.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${channel} webhook answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${channel} webhook answered something other than JSON: ${text.slice(0, 200)}`);
    }
    const accepted = robotAccepted(channel, body);
    if (!accepted.ok) throw new Error(accepted.reason);
  }

  /** Sends one message; `id` names it, so a mail client shows a resent copy as the same message. */
  async function send(channel: NotificationChannel, address: string, message: Message, id: string): Promise<void> {
    if (channel !== 'email') return postRobot(channel, address, message);
    if (!transport) throw ApplicationFailure.nonRetryable('e-mail is not configured on this worker (SMTP_URL)', NOT_CONFIGURED);
    await transport.sendMail({
      from: settings.from,
      to: address,
      subject: message.subject,
      text: message.body,
      messageId: `<${createHash('sha256').update(id).digest('hex').slice(0, 32)}@custodian>`,
    });
  }

  return {
    /**
     * Takes up new notices (one pending delivery per channel their user has on) and returns the
     * deliveries still pending. Waits up to `waitMs` for there to be any, heartbeating, so an idle
     * system costs the workflow one activity a `waitMs`, not one a poll.
     */
    async takeUpNotices(input: { limit: number; waitMs: number }): Promise<DeliveryRef[]> {
      const until = Date.now() + input.waitMs;
      for (;;) {
        const taken = await dispatchNotices(sql, input.limit, new Date());
        if (settings.console) for (const notice of taken) log(`[notice] to ${notice.userId}: ${recipientText(notice, settings.companyLanguage ?? 'zh')}${notice.processId ? ` (process ${notice.processId})` : ''}`);
        const pending = await pendingDeliveries(sql, input.limit);
        if (pending.length > 0 || taken.length === input.limit || Date.now() >= until) return pending;
        Context.current().heartbeat();
        await Context.current().sleep(settings.pollMs ?? DEFAULT_POLL_MS);
      }
    },

    /**
     * Sends one delivery unless it is already delivered (a retried or redelivered activity sends
     * nothing twice once the first send is recorded). Every attempt is counted; a failed one
     * records its error and fails the activity, which Temporal retries.
     */
    async deliverNotification(ref: DeliveryRef): Promise<'delivered' | 'already delivered' | 'gone'> {
      const delivery = await deliveryToSend(sql, ref);
      if (!delivery || delivery.status === 'failed') return 'gone';
      if (delivery.status === 'delivered') return 'already delivered';
      try {
        await send(ref.channel, delivery.address, noticeMessage(delivery.notice, settings.publicUrl, settings.companyLanguage), `${ref.notificationKey}:${ref.channel}`);
      } catch (error) {
        await recordAttempt(sql, ref, { error: error instanceof Error ? error.message : String(error) }, new Date());
        throw error;
      }
      await recordAttempt(sql, ref, { error: null }, new Date());
      return 'delivered';
    },

    /** Its retries spent: the delivery is failed, its last error kept. */
    async giveUpDelivery(ref: DeliveryRef): Promise<void> {
      await markDeliveryFailed(sql, ref, new Date());
    },

    /**
     * One digest per user and digest channel of the notices since their last digest, up to
     * `until`. A digest sent is recorded at once, so a retry after a later one failed does not
     * send it again; a user with no new notices is sent nothing.
     */
    async sendDigests(input: { until: number }): Promise<{ sent: number }> {
      const until = new Date(input.until);
      const day = until.toLocaleDateString('en-CA', { timeZone: POLICY_TIME_ZONE });
      let sent = 0;
      const failures: string[] = [];
      for (const recipient of await digestRecipients(sql)) {
        Context.current().heartbeat();
        const notices = await noticesBetween(sql, recipient.userId, recipient.since, until);
        if (notices.length > 0) {
          try {
            await send(recipient.channel, recipient.address, digestMessage(notices, day, settings.publicUrl, settings.companyLanguage), `digest:${recipient.userId}:${recipient.channel}:${input.until}`);
            sent += 1;
          } catch (error) {
            failures.push(`${recipient.userId} by ${recipient.channel}: ${error instanceof Error ? error.message : String(error)}`);
            continue;
          }
        }
        await digestSent(sql, recipient, until);
      }
      if (failures.length > 0) throw new Error(`${failures.length} digest(s) not sent (${sent} sent): ${failures.join('; ')}`);
      return { sent };
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
