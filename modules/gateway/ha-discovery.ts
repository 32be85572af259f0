// Home Assistant MQTT discovery documents (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery)
// for the charger, as pure data: one retained `homeassistant/<component>/<id>/<object>/config`
// per entity, every entity tied to one device and available while the
// gateway's announce topic says "connected" (the last will says
// "disconnected"). The entities read the per-field topics the gateway
// publishes anyway (`<base>/amp`, `<base>/state` …) and command through the
// manual override topic (`<base>/override/set`).

export interface DiscoveryContext {
  id: string;
  name: string;
  /** The gateway's base topic. */
  base: string;
  announce: string;
  version: string;
  /** The largest current the controller offers, A (the number entity's maximum). */
  maxCurrent: number;
}

export interface DiscoveryDoc {
  topic: string;
  config: Record<string, unknown>;
}

/** Component and object id of each entity, and what it adds to the common fields. */
const ENTITIES: readonly { component: string; object: string; doc: (c: DiscoveryContext) => Record<string, unknown> }[] = [
  { component: 'sensor', object: 'state', doc: (c) => ({ name: 'State', state_topic: `${c.base}/state`, icon: 'mdi:ev-station' }) },
  { component: 'sensor', object: 'status', doc: (c) => ({ name: 'Status', state_topic: `${c.base}/status` }) },
  {
    component: 'sensor',
    object: 'current',
    doc: (c) => ({ name: 'Charging current', state_topic: `${c.base}/amp`, value_template: '{{ (value | float / 1000) | round(2) }}', unit_of_measurement: 'A', device_class: 'current', state_class: 'measurement' }),
  },
  { component: 'sensor', object: 'power', doc: (c) => ({ name: 'Power', state_topic: `${c.base}/power`, unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' }) },
  { component: 'sensor', object: 'voltage', doc: (c) => ({ name: 'Voltage', state_topic: `${c.base}/voltage`, unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement' }) },
  {
    component: 'sensor',
    object: 'session_energy',
    doc: (c) => ({ name: 'Session energy', state_topic: `${c.base}/session_energy`, unit_of_measurement: 'Wh', device_class: 'energy', state_class: 'total_increasing' }),
  },
  {
    component: 'sensor',
    object: 'total_energy',
    doc: (c) => ({ name: 'Total energy', state_topic: `${c.base}/total_energy`, unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' }),
  },
  {
    component: 'sensor',
    object: 'temperature',
    doc: (c) => ({ name: 'Temperature', state_topic: `${c.base}/temp`, value_template: "{{ (value | float / 10) | round(1) if value != 'false' else None }}", unit_of_measurement: '°C', device_class: 'temperature', state_class: 'measurement' }),
  },
  { component: 'binary_sensor', object: 'vehicle', doc: (c) => ({ name: 'Vehicle connected', state_topic: `${c.base}/vehicle`, payload_on: '1', payload_off: '0', device_class: 'plug' }) },
  {
    component: 'switch',
    object: 'enable',
    doc: (c) => ({ name: 'Charging enabled', state_topic: `${c.base}/status`, state_on: 'active', state_off: 'disabled', command_topic: `${c.base}/override/set`, payload_on: '{"state":"active"}', payload_off: '{"state":"disabled"}' }),
  },
  {
    component: 'number',
    object: 'charge_current',
    doc: (c) => ({ name: 'Charge current', state_topic: `${c.base}/pilot`, command_topic: `${c.base}/override/set`, command_template: '{"charge_current": {{ value | int }} }', min: 6, max: c.maxCurrent, step: 1, unit_of_measurement: 'A', mode: 'slider' }),
  },
  {
    component: 'sensor',
    object: 'limit',
    doc: (c) => ({ name: 'Session limit', state_topic: `${c.base}/limit`, value_template: "{{ value_json.type | default('none') }}", json_attributes_topic: `${c.base}/limit` }),
  },
];

/** The retained topic of entity `i`. */
export function discoveryTopic(id: string, i: number): string {
  const e = ENTITIES[i];
  return `homeassistant/${e.component}/${id}/${e.object}/config`;
}

/** The discovery document of entity `i`: built when it is published, one at a time (the device holds none). */
export function discoveryDoc(c: DiscoveryContext, i: number): Record<string, unknown> {
  const e = ENTITIES[i];
  const device = { identifiers: [`openevse_${c.id}`], name: c.name, manufacturer: 'evse-xs', model: 'OpenEVSE-compatible charger', sw_version: c.version };
  const availability = { topic: c.announce, value_template: '{{ value_json.state }}', payload_available: 'connected', payload_not_available: 'disconnected' };
  return { unique_id: `${c.id}_${e.object}`, object_id: `${c.name}_${e.object}`, ...e.doc(c), availability: [availability], device };
}

export function discoveryDocs(c: DiscoveryContext): DiscoveryDoc[] {
  const docs: DiscoveryDoc[] = [];
  for (let i = 0; i < ENTITIES.length; i++) docs.push({ topic: discoveryTopic(c.id, i), config: discoveryDoc(c, i) });
  return docs;
}

/** The entity count, for tests and docs. */
export const DISCOVERY_ENTITIES = ENTITIES.length;
