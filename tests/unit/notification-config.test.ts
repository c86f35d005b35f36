// The notification settings (issue 16.3) as config.ts reads them from the environment.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../platform/config.ts';
import { notificationSettings } from '../../platform/notifications/activities.ts';
import { notificationSchedule } from '../../platform/notifications/schedules.ts';

describe('notification settings', () => {
  it('default to no e-mail, the DingTalk and Feishu hosts, a digest at 08:00 and five attempts', () => {
    const config = readConfig({});
    expect(notificationSettings(config)).toEqual({
      smtpUrl: undefined,
      from: 'Custodian <custodian@localhost>',
      publicUrl: undefined,
      console: false,
      webhookHosts: ['oapi.dingtalk.com', 'open.feishu.cn', 'open.larksuite.com'],
      companyLanguage: 'zh',
    });
    expect(notificationSchedule(config)).toEqual({ digestAt: '08:00', maximumAttempts: 5 });
  });

  it('read an SMTP server, a host list and a digest time', () => {
    const config = readConfig({ SMTP_URL: 'smtps://mailer:secret@mail.example.com:465', NOTIFY_WEBHOOK_HOSTS: ' oapi.dingtalk.com , Hooks.Example.com,', NOTIFY_DIGEST_AT: '18:45', NOTIFY_CONSOLE: 'true' });
    expect(notificationSettings(config)).toMatchObject({ smtpUrl: 'smtps://mailer:secret@mail.example.com:465', webhookHosts: ['oapi.dingtalk.com', 'hooks.example.com'], console: true });
    expect(notificationSchedule(config).digestAt).toBe('18:45');
  });

  it.each([
    ['SMTP_URL', 'http://mail.example.com'],
    ['NOTIFY_DIGEST_AT', '8:00'],
    ['NOTIFY_DIGEST_AT', '24:00'],
    ['NOTIFY_MAX_ATTEMPTS', '0'],
  ])('refuse %s=%s, naming the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });
});
