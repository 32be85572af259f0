import { describe, it, expect } from '../harness';
import { ConfigStore, SECRET_MASK } from '../../../modules/gateway/config-store';
import { MemoryStorage } from './fixtures';

function store(storage = new MemoryStorage()) {
  return { storage, config: new ConfigStore({ storage, id: 'a1b2c3d4e5f6' }) };
}

describe('config store', () => {
  it('starts from the OpenEVSE defaults', () => {
    const { config } = store();
    expect(config.get('mqtt_port')).toBe(1883);
    expect(config.get('mqtt_protocol')).toBe('mqtt');
    expect(config.get('mqtt_enabled')).toBe(false);
    expect(config.get('mqtt_reject_unauthorized')).toBe(true);
    expect(config.get('hostname')).toBe('openevse-e5f6');
    expect(config.get('mqtt_topic')).toBe('openevse-e5f6');
    expect(config.get('mqtt_announce_topic')).toBe('openevse/announce/e5f6');
    expect(config.get('heartbeat_interval')).toBe(5);
    expect(config.get('heartbeat_current')).toBe(6);
  });

  it('masks a secret that is set and shows an empty one as empty', () => {
    const { config } = store();
    config.update({ mqtt_pass: 's3cret' });
    const shown = config.masked();
    expect(shown.mqtt_pass).toBe('__DUMMY_PASSWORD__');
    expect(shown.www_password).toBe('');
    expect(JSON.stringify(shown)).not.toContain('s3cret');
  });

  it('keeps the old secret when the mask is posted back, and clears it on ""', () => {
    const { config } = store();
    config.update({ mqtt_pass: 's3cret' });
    config.update({ mqtt_pass: SECRET_MASK, mqtt_user: 'me' });
    expect(config.get('mqtt_pass')).toBe('s3cret');
    config.update({ mqtt_pass: '' });
    expect(config.get('mqtt_pass')).toBe('');
  });

  it('refuses wrong types and out-of-range values and then changes nothing', () => {
    const { config, storage } = store();
    const bad: Record<string, unknown>[] = [
      { mqtt_port: '1883' },
      { mqtt_port: 0 },
      { mqtt_port: 65536 },
      { mqtt_port: 1883.5 },
      { mqtt_enabled: 'true' },
      { mqtt_enabled: 1 },
      { mqtt_protocol: 'ws' },
      { mqtt_server: 42 },
      { mqtt_topic: 'a/#' },
      { hostname: 'has space' },
      { mqtt_server: 'x'.repeat(129) },
    ];
    for (const update of bad) {
      const r = config.update({ mqtt_user: 'changed', ...update });
      expect(r.ok).toBe(false);
    }
    expect(config.get('mqtt_user')).toBe('');
    expect(storage.writes).toBe(0);
  });

  it('accepts the seed 001 MQTT example in one partial update', () => {
    const { config } = store();
    const r = config.update({
      mqtt_enabled: true,
      mqtt_protocol: 'mqtt',
      mqtt_server: '192.168.1.10',
      mqtt_port: 1883,
      mqtt_topic: 'charger/nofos-1234',
      mqtt_user: 'mqtt-user',
      mqtt_pass: 'mqtt-pass',
      mqtt_reject_unauthorized: true,
    });
    expect(r.ok).toBe(true);
    expect(config.get('mqtt_topic')).toBe('charger/nofos-1234');
    expect(config.get('mqtt_server')).toBe('192.168.1.10');
  });

  it('persists through the storage port and counts config_version only on real changes', () => {
    const { config, storage } = store();
    expect(config.version).toBe(0);
    config.update({ mqtt_server: 'broker', mqtt_port: 8883 });
    config.update({ mqtt_server: 'broker' }); // no change
    expect(config.version).toBe(1);
    expect(storage.writes).toBe(1);
    const again = new ConfigStore({ storage, id: 'a1b2c3d4e5f6' });
    expect(again.get('mqtt_server')).toBe('broker');
    expect(again.get('mqtt_port')).toBe(8883);
    expect(again.version).toBe(1);
  });

  it('boots on defaults when the stored document is broken', () => {
    const storage = new MemoryStorage();
    storage.map.set('config', '{"v":1,"config_version":3,"values":{"mqtt_ser');
    const lines: string[] = [];
    const config = new ConfigStore({ storage, id: 'a1b2c3d4e5f6', log: (l) => lines.push(l) });
    expect(config.get('mqtt_server')).toBe('');
    expect(lines.length).toBe(1);
  });

  it('drops a stored value the schema no longer accepts and keeps the rest', () => {
    const storage = new MemoryStorage();
    storage.map.set('config', JSON.stringify({ v: 1, config_version: 4, values: { mqtt_port: 'x', mqtt_server: 'b' } }));
    const config = new ConfigStore({ storage, id: 'a1b2c3d4e5f6' });
    expect([config.get('mqtt_port'), config.get('mqtt_server'), config.version]).toEqual([1883, 'b', 4]);
  });

  it('packs booleans into the OpenEVSE flags word', () => {
    const { config } = store();
    // defaults: sntp_enabled (0x10) and mqtt_reject_unauthorized (0x04)
    expect(config.flags()).toBe(0x14);
    config.update({ mqtt_enabled: true });
    expect(config.flags()).toBe(0x16);
  });

  it('reset goes back to defaults and removes the stored document', () => {
    const { config, storage } = store();
    config.update({ mqtt_server: 'b' });
    config.reset();
    expect(config.get('mqtt_server')).toBe('');
    expect(storage.map.has('config')).toBe(false);
  });
});
