// Drives every tool and the type resources of a running platform-mcp server with the official
// TypeScript MCP SDK client (@modelcontextprotocol/sdk 1.32, the initialize handshake at
// 2025-11-25), as a real client would, and asserts what comes back. Runs under Node 20:
//
//   node tools_client.mjs --url http://127.0.0.1:PORT/mcp --token TOKEN \
//     [--read-tools a,b,… --write-tools c,d,…]
//
// Which tools read and which write is not written here: the Rust harness passes the server's
// one list (`domain::usecases::UseCase`), and tools/list must name exactly those with matching
// annotations; without the two options the split is taken from the server's readOnlyHints.
// The world the caller seeds first: the token's person is an editor (or admin/owner) of exactly
// one project, named "E2E", which has one type `tasks` (no schema, default access) and no entries.
// Prints one JSON line per step on stdout ({"step", "ok", ...}); on the first failed assertion it
// prints that step with "ok": false and the reason, repeats the reason on stderr and exits 1.
// The same steps as ../py/tools_client.py; keep the two in step.

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

const EXPECTED_VERSION = '2025-11-25';
// The `_meta` key marking a result that carries entry content (user data, never instructions).
const UNTRUSTED = 'io.platform-mcp/untrusted';
const SYSTEM_FIELDS = ['id', 'tenantId', 'createdAt', 'updatedAt', 'deletedAt', 'revision', 'access'];
// What a query_data page carries of them by default, and what it adds only through `include`.
const LIST_FIELDS = ['id', 'revision', 'updatedAt'];
const ON_REQUEST = ['createdAt', 'access', 'tenantId', 'deletedAt'];
const RESOURCE_NOT_FOUND = [-32602, -32002]; // the SEP-2164 code, and the one before it

class StepFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new StepFailed(message);
}

function emit(step, fields = {}) {
  console.log(JSON.stringify({ step, ok: true, ...fields }));
}

function short(value, limit = 600) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTimestamp = (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v));

// Deep equality for JSON values (key order ignored).
function jsonEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return jsonEqual(ka, kb) && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function templateMatches(template, uri) {
  // RFC 6570 level 1: each {var} stands for one non-empty path segment.
  if (!template.includes('{')) return false;
  const pattern = template
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(uri);
}

function containsPair(doc, key, value) {
  if (Array.isArray(doc)) return doc.some((v) => containsPair(v, key, value));
  if (isObject(doc)) return doc[key] === value || Object.values(doc).some((v) => containsPair(v, key, value));
  return false;
}

class Run {
  constructor(client, transport, tools) {
    this.client = client;
    this.transport = transport;
    this.tools = tools; // { read, write } as the harness passed them, or null
    this.projectId = '';
    this.collection = 'tasks';
    this.entries = {};
  }

  // Calls a tool; returns its structuredContent after checking the text copy and isError.
  async call(tool, args, { error = false } = {}) {
    let result;
    try {
      result = await this.client.callTool({ name: tool, arguments: args });
    } catch (e) {
      if (e instanceof McpError) {
        const hint =
          error && /output schema/i.test(e.message)
            ? ' (this SDK validates the structuredContent of an isError result against the tool\'s ' +
              'outputSchema too, so the outputSchema must also admit the {"error": ...} shape)'
            : '';
        throw new StepFailed(
          `${tool} raised ${e.message} (data ${short(e.data)}) where a tool result` +
            `${error ? ' with isError' : ''} was expected${hint}`,
        );
      }
      throw e;
    }
    const isError = result.isError === true;
    check(isError === error, `${tool}: isError is ${isError}, expected ${error}; result ${short(result)}`);
    const structured = result.structuredContent;
    check(isObject(structured), `${tool}: no structuredContent object in ${short(result)}`);
    const content = result.content ?? [];
    check(content.length >= 1, `${tool}: the result has no content (the text copy for older clients)`);
    check(content[0].type === 'text', `${tool}: content[0] is ${short(content[0].type)}, not text`);
    let textJson;
    try {
      textJson = JSON.parse(content[0].text);
    } catch (e) {
      throw new StepFailed(`${tool}: content[0].text is not JSON (${e.message}): ${short(content[0].text)}`);
    }
    check(
      jsonEqual(textJson, structured),
      `${tool}: content[0].text ${short(textJson)} differs from structuredContent ${short(structured)}`,
    );
    this.lastText = content[0].text;
    this.lastMeta = result._meta ?? {};
    return structured;
  }

  async toolError(tool, args, code) {
    const structured = await this.call(tool, args, { error: true });
    const err = structured.error;
    check(isObject(err), `${tool}: error result without an \`error\` object: ${short(structured)}`);
    check(err.code === code, `${tool}: error.code is ${short(err.code)}, expected ${code}: ${short(err)}`);
    check(
      typeof err.message === 'string' && err.message.trim() !== '',
      `${tool}: error.message is missing or empty: ${short(err)}`,
    );
    return err;
  }

  checkEntry(tool, entry, { revision, deleted = false }) {
    check(isObject(entry), `${tool}: entry is not an object: ${short(entry)}`);
    const missing = SYSTEM_FIELDS.filter((f) => !(f in entry));
    check(missing.length === 0, `${tool}: entry lacks system fields ${missing}: ${short(entry)}`);
    check(typeof entry.id === 'string' && entry.id !== '', `${tool}: entry.id is not a string: ${short(entry)}`);
    check(
      entry.tenantId === this.projectId,
      `${tool}: entry.tenantId ${short(entry.tenantId)} is not the project id ${this.projectId}`,
    );
    for (const f of ['createdAt', 'updatedAt']) {
      check(isTimestamp(entry[f]), `${tool}: entry.${f} is not an ISO 8601 timestamp: ${short(entry[f])}`);
    }
    if (deleted) check(isTimestamp(entry.deletedAt), `${tool}: deletedAt should be set, is ${short(entry.deletedAt)}`);
    else check(entry.deletedAt === null, `${tool}: deletedAt should be null, is ${short(entry.deletedAt)}`);
    check(
      Number.isInteger(entry.revision) && entry.revision === revision,
      `${tool}: revision is ${short(entry.revision)}, expected ${revision}`,
    );
    const access = entry.access;
    check(isObject(access), `${tool}: access is not an object: ${short(access)}`);
    for (const op of ['read', 'update', 'delete']) {
      check(
        Array.isArray(access[op]) && access[op].every((s) => typeof s === 'string'),
        `${tool}: access.${op} is not a list of subjects: ${short(access)}`,
      );
    }
    return entry;
  }

  // A query_data entry: id, revision and updatedAt, none of the fields only asked for.
  checkListed(entry, { revision }) {
    check(isObject(entry), `query_data: entry is not an object: ${short(entry)}`);
    const missing = LIST_FIELDS.filter((f) => !(f in entry));
    check(missing.length === 0, `query_data: entry lacks ${missing}: ${short(entry)}`);
    const extra = ON_REQUEST.filter((f) => f in entry);
    check(extra.length === 0, `query_data: entry carries ${extra} without include: ${short(entry)}`);
    check(typeof entry.id === 'string' && entry.id !== '', `query_data: entry.id is not a string: ${short(entry)}`);
    check(isTimestamp(entry.updatedAt), `query_data: updatedAt is not a timestamp: ${short(entry)}`);
    check(entry.revision === revision, `query_data: revision is ${short(entry.revision)}, expected ${revision}`);
    return entry;
  }

  onlyEntry(tool, structured, opts) {
    const keys = Object.keys(structured);
    check(keys.length === 1 && keys[0] === 'entry', `${tool}: expected {"entry": ...}, got keys ${keys}`);
    return this.checkEntry(tool, structured.entry, opts);
  }

  // --- steps --------------------------------------------------------------------------------

  async protocol() {
    const version = this.transport.protocolVersion;
    check(version === EXPECTED_VERSION, `negotiated protocol ${short(version)}, expected ${EXPECTED_VERSION}`);
    emit('protocol', { protocolVersion: version, serverInfo: this.client.getServerVersion()?.name ?? null });
  }

  async toolsList() {
    const tools = [];
    let cursor;
    for (let i = 0; i < 20; i++) {
      const page = await this.client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    const names = tools.map((t) => t.name).sort();
    let readTools;
    if (this.tools === null) {
      readTools = tools.filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name);
    } else {
      readTools = this.tools.read;
      const expected = [...this.tools.read, ...this.tools.write].sort();
      check(jsonEqual(names, expected), `tools/list names ${names}, expected exactly ${expected}`);
    }
    for (const t of tools) {
      check(typeof t.description === 'string' && t.description.trim() !== '', `tool ${t.name} has no description`);
      for (const key of ['inputSchema', 'outputSchema']) {
        check(
          isObject(t[key]) && t[key].type === 'object',
          `tool ${t.name}: ${key} is not an object schema: ${short(t[key])}`,
        );
      }
      const ann = t.annotations;
      check(isObject(ann), `tool ${t.name} has no annotations`);
      if (readTools.includes(t.name)) {
        check(ann.readOnlyHint === true, `tool ${t.name}: readOnlyHint should be true: ${short(ann)}`);
      } else {
        check(ann.readOnlyHint !== true, `write tool ${t.name} is marked readOnlyHint: ${short(ann)}`);
      }
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    check(
      byName.delete_data.annotations.destructiveHint === true,
      `delete_data: destructiveHint should be true: ${short(byName.delete_data.annotations)}`,
    );
    check(
      byName.update_data.annotations.idempotentHint === false,
      `update_data: idempotentHint should be false: ${short(byName.update_data.annotations)}`,
    );
    emit('tools/list', { tools: names });
  }

  async listProjects() {
    const s = await this.call('list_projects', {});
    check(jsonEqual(Object.keys(s), ['projects']), `list_projects: expected {"projects": [...]}, got ${short(s)}`);
    const projects = s.projects;
    check(Array.isArray(projects) && projects.length === 1, `list_projects: expected one project: ${short(s)}`);
    const p = projects[0];
    const missing = ['id', 'name', 'description', 'role'].filter((k) => !(k in p));
    check(missing.length === 0, `list_projects: project lacks ${missing}: ${short(p)}`);
    check(p.name === 'E2E', `list_projects: project name is ${short(p.name)}, expected "E2E"`);
    check(typeof p.id === 'string' && p.id !== '', `list_projects: project id is not a string: ${short(p)}`);
    check(['owner', 'admin', 'editor'].includes(p.role), `list_projects: role ${short(p.role)} cannot write`);
    this.projectId = p.id;
    check(!(UNTRUSTED in this.lastMeta), `list_projects carries no entry yet is marked: ${short(this.lastMeta)}`);
    emit('list_projects', { projectId: p.id, role: p.role });
  }

  async listTypes() {
    const s = await this.call('list_types', { projectId: this.projectId });
    check(jsonEqual(Object.keys(s), ['types']), `list_types: expected {"types": [...]}, got ${short(s)}`);
    check(Array.isArray(s.types), `list_types: types is not a list: ${short(s)}`);
    const tasks = s.types.filter((t) => isObject(t) && t.collectionName === this.collection);
    check(tasks.length === 1, `list_types: expected one type "tasks" in ${short(s.types)}`);
    const t = tasks[0];
    const keys = ['collectionName', 'title', 'description', 'schema', 'defaultAccess', 'creationAccess'];
    const missing = keys.filter((k) => !(k in t));
    check(missing.length === 0, `list_types: type lacks ${missing}: ${short(t)}`);
    check(isObject(t.defaultAccess), `list_types: defaultAccess is not an object: ${short(t)}`);
    check(Array.isArray(t.creationAccess), `list_types: creationAccess is not a list: ${short(t)}`);
    emit('list_types', { types: s.types.map((x) => x.collectionName) });
  }

  async create() {
    for (const [title, n] of [['a', 1], ['b', 2], ['c', 3]]) {
      const s = await this.call('create_data', {
        projectId: this.projectId,
        collectionName: this.collection,
        data: { title, n },
      });
      const entry = this.onlyEntry('create_data', s, { revision: 1 });
      check(entry.title === title && entry.n === n, `create_data: the entry's own fields are not the data sent: ${short(entry)}`);
      this.entries[title] = entry;
    }
    emit('create_data', { ids: Object.fromEntries(Object.entries(this.entries).map(([k, v]) => [k, v.id])) });
  }

  async get() {
    const a = this.entries.a;
    const s = await this.call('get_data', { projectId: this.projectId, collectionName: this.collection, id: a.id });
    const entry = this.onlyEntry('get_data', s, { revision: 1 });
    check(jsonEqual(entry, a), `get_data: ${short(entry)} differs from the created entry ${short(a)}`);
    const mark = this.lastMeta[UNTRUSTED] ?? {};
    check(
      mark.content === 'user-data' && Array.isArray(mark.authors) && mark.authors.length === 1,
      `get_data: _meta does not mark the entry as user data by its author: ${short(this.lastMeta)}`,
    );
    emit('get_data', { id: a.id });
  }

  async query() {
    const base = {
      projectId: this.projectId,
      collectionName: this.collection,
      filter: { n: { $gte: 2 } },
      sort: { n: -1 },
      limit: 1,
    };
    const s = await this.call('query_data', base);
    check('entries' in s && 'nextCursor' in s, `query_data: expected entries and nextCursor: ${short(s)}`);
    check(Array.isArray(s.entries) && s.entries.length === 1, `query_data: expected one entry: ${short(s)}`);
    this.checkListed(s.entries[0], { revision: 1 });
    check(s.entries[0].n === 3, `query_data page 1: expected n=3 first: ${short(s.entries[0])}`);
    check(typeof s.nextCursor === 'string' && s.nextCursor !== '', `query_data page 1: nextCursor should be a string: ${short(s)}`);
    const s2 = await this.call('query_data', { ...base, cursor: s.nextCursor });
    check(Array.isArray(s2.entries) && s2.entries.length === 1, `query_data page 2: expected one entry: ${short(s2)}`);
    check(s2.entries[0].n === 2, `query_data page 2: expected n=2: ${short(s2.entries[0])}`);
    check('nextCursor' in s2 && s2.nextCursor === null, `query_data page 2: nextCursor should be null: ${short(s2)}`);
    check(s2.returned === 1, `query_data page 2: returned should be 1: ${short(s2)}`);
    const whole = await this.call('query_data', { ...base, include: ON_REQUEST });
    this.checkEntry('query_data include', whole.entries[0], { revision: 1 });
    emit('query_data', { pages: [s.entries.map((e) => e.n), s2.entries.map((e) => e.n)] });
  }

  // A default page of 50 entries shaped like make bench's, and the same page with every system
  // field included (the shape every page had before): both texts, for the caller to count
  // their tokens.
  async pageSize() {
    const collection = { projectId: this.projectId, collectionName: this.collection };
    const words = ['review the contract', 'call the supplier', 'ship the order', 'update the forecast'];
    const pad = (n) => String(n).padStart(2, '0');
    for (let g = 1; g <= 50; g++) {
      const data = {
        title: `Task ${g}: ${words[g % 4]}`,
        n: 1000 + g,
        status: ['open', 'in_progress', 'done'][g % 3],
        priority: 1 + (g % 5),
        tags: [['alpha', 'beta', 'gamma', 'delta'][g % 4], `team-${1 + (g % 7)}`],
        due: `2027-${pad(1 + (g % 12))}-${pad(1 + (g % 28))}`,
      };
      await this.call('create_data', { ...collection, data });
    }
    const query = { ...collection, filter: { n: { $gt: 1000 } }, limit: 50 };
    const listed = await this.call('query_data', query);
    const defaultText = this.lastText;
    check(listed.returned === 50, `page size: expected 50 entries: ${short(listed)}`);
    for (const entry of listed.entries) this.checkListed(entry, { revision: 1 });
    const whole = await this.call('query_data', { ...query, include: ON_REQUEST });
    const fullText = this.lastText;
    check(whole.returned === 50, `page size: expected 50 whole entries: ${short(whole)}`);
    emit('page size', { default: defaultText, full: fullText });
  }

  async aggregate() {
    // Groups in the database: a total over a filter, then one group per title paged two at a
    // time, newest title first (the entries are a/1, b/2, c/3).
    const at = { projectId: this.projectId, collectionName: this.collection };
    const s = await this.call('aggregate_data', {
      ...at,
      filter: { n: { $gte: 2 } },
      metrics: ['count', 'sum(n)', 'avg:n', 'max:n'],
    });
    const want = { key: {}, count: 2, 'sum:n': 5, 'avg:n': 2.5, 'max:n': 3, 'skipped:n': 0 };
    check(jsonEqual(s, { groups: [want], truncated: false }), `aggregate_data total: got ${short(s)}`);
    const paged = { ...at, groupBy: ['title'], metrics: ['count'], sort: { title: -1 }, limit: 2 };
    const first = await this.call('aggregate_data', paged);
    const titles = (first.groups ?? []).map((g) => g.key.title);
    check(
      jsonEqual(titles, ['c', 'b']) && first.truncated === true,
      `aggregate_data page 1: ${short(first)}`,
    );
    const rest = await this.call('aggregate_data', { ...paged, cursor: first.nextCursor });
    check(
      jsonEqual(rest, { groups: [{ key: { title: 'a' }, count: 1 }], truncated: false }),
      `aggregate_data page 2: ${short(rest)}`,
    );
    emit('aggregate_data', { pages: [titles, ['a']] });
  }

  async count() {
    const s = await this.call('count_data', {
      projectId: this.projectId,
      collectionName: this.collection,
      filter: { n: { $gte: 2 } },
    });
    check(jsonEqual(s, { count: 2 }), `count_data: expected {"count": 2}, got ${short(s)}`);
    emit('count_data', { count: 2 });
  }

  async update() {
    const a = this.entries.a;
    const args = {
      projectId: this.projectId,
      collectionName: this.collection,
      id: a.id,
      modifier: { $inc: { n: 10 }, $set: { done: true } },
    };
    const s = await this.call('update_data', args);
    const entry = this.onlyEntry('update_data', s, { revision: 2 });
    check(entry.n === 11 && entry.done === true, `update_data: modifier not applied: ${short(entry)}`);
    check(entry.id === a.id && entry.createdAt === a.createdAt, `update_data: identity changed: ${short(entry)}`);
    emit('update_data', { id: a.id, revision: 2 });

    const err = await this.toolError('update_data', { ...args, expectedRevision: 1 }, 'CONFLICT');
    check(
      Number.isInteger(err.currentRevision) && err.currentRevision === 2,
      `update_data conflict: currentRevision should be 2: ${short(err)}`,
    );
    emit('update_data conflict', { code: 'CONFLICT', currentRevision: 2 });
  }

  async delete() {
    const a = this.entries.a;
    const ident = { projectId: this.projectId, collectionName: this.collection, id: a.id };
    const s = await this.call('delete_data', ident);
    this.onlyEntry('delete_data', s, { revision: 3, deleted: true });
    emit('delete_data', { id: a.id, revision: 3 });
    await this.toolError('get_data', ident, 'NOT_FOUND');
    emit('get_data deleted', { code: 'NOT_FOUND' });
  }

  // update_many and delete_many: a preview that changes nothing, its confirmation, and a token
  // that works once.
  async bulk() {
    const base = { projectId: this.projectId, collectionName: this.collection };
    const args = { ...base, filter: { n: { $gte: 2, $lt: 100 } }, modifier: { $set: { bulk: true } } };
    let p = await this.call('update_many', args);
    check(
      p.preview === true && p.matched === 2 && p.skipped === 0,
      `update_many preview: expected 2 matched, 0 skipped: ${short(p)}`,
    );
    check(typeof p.confirm === 'string' && p.confirm.length > 0, `update_many: no confirm token: ${short(p)}`);
    check(isTimestamp(p.expiresAt) && (p.next ?? '').includes('ask'), `update_many: no expiry or instruction: ${short(p)}`);
    const samples = p.samples ?? [];
    check(
      samples.length === 2 && samples.every((x) => jsonEqual(x.after, { bulk: true })),
      `update_many: samples do not show the change: ${short(samples)}`,
    );
    const b = this.entries.b;
    this.onlyEntry('get_data', await this.call('get_data', { ...base, id: b.id }), { revision: 1 });
    emit('update_many preview', { matched: 2 });
    let done = await this.call('update_many', { ...args, confirm: p.confirm });
    check(done.preview === false && done.changed === 2, `update_many confirm: expected 2 changed: ${short(done)}`);
    check((done.entries ?? []).every((e) => e.revision === 2), `update_many confirm: revisions should be 2: ${short(done)}`);
    const entry = this.onlyEntry('get_data', await this.call('get_data', { ...base, id: b.id }), { revision: 2 });
    check(entry.bulk === true, `update_many: change not stored: ${short(entry)}`);
    emit('update_many confirm', { changed: 2 });
    const err = await this.toolError('update_many', { ...args, confirm: p.confirm }, 'INVALID_ARGUMENT');
    check(err.field === 'confirm', `update_many reused token: not refused on confirm: ${short(err)}`);
    emit('update_many reused token', { code: 'INVALID_ARGUMENT' });

    for (const title of ['tmp1', 'tmp2']) {
      await this.call('create_data', { ...base, data: { title, tag: 'tmp' } });
    }
    const dargs = { ...base, filter: { tag: 'tmp' } };
    p = await this.call('delete_many', dargs);
    check(p.matched === 2 && (p.samples ?? []).length === 2, `delete_many preview: ${short(p)}`);
    check(p.samples.every((x) => x.data?.tag === 'tmp'), `delete_many: samples do not show the entries: ${short(p)}`);
    done = await this.call('delete_many', { ...dargs, confirm: p.confirm });
    check(done.changed === 2, `delete_many confirm: expected 2 deleted: ${short(done)}`);
    const gone = await this.call('count_data', dargs);
    check(jsonEqual(gone, { count: 0 }), `delete_many: entries still listed: ${short(gone)}`);
    emit('delete_many', { changed: 2 });
  }

  async unknownArgument() {
    const err = await this.toolError(
      'query_data',
      { projectId: this.projectId, collectionName: this.collection, filtre: { n: 1 } },
      'INVALID_ARGUMENT',
    );
    check(
      err.field === 'filtre' || err.message.includes('filtre'),
      `query_data filtre: the error does not name the unknown argument: ${short(err)}`,
    );
    emit('query_data filtre', { code: 'INVALID_ARGUMENT', field: err.field ?? null });
  }

  async dataAsString() {
    const s = await this.call('create_data', {
      projectId: this.projectId,
      collectionName: this.collection,
      data: JSON.stringify({ title: 'd', n: 4 }),
    });
    const entry = this.onlyEntry('create_data', s, { revision: 1 });
    check(entry.title === 'd' && entry.n === 4, `create_data (string data): fields not stored: ${short(entry)}`);
    emit('create_data string', { id: entry.id });
  }

  // create_many: all or none, a compact result in the order sent, a retry with the
  // idempotency key answered from the first call, the key with other arguments refused;
  // create_data's key likewise.
  async createMany() {
    const batch = `node-${randomUUID()}`;
    const key = `import-${batch}`;
    const base = { projectId: this.projectId, collectionName: this.collection };
    const entries = [0, 1, 2].map((i) => ({ title: `many ${i}`, n: 100 + i, batch }));
    const args = { ...base, entries, idempotencyKey: key };
    const first = await this.call('create_many', args);
    check(first.created === 3, `create_many: created should be 3: ${short(first)}`);
    const made = first.entries;
    check(Array.isArray(made) && made.length === 3, `create_many: 3 entries expected: ${short(first)}`);
    for (const item of made) {
      check(
        jsonEqual(Object.keys(item).sort(), ['createdAt', 'id', 'revision']) &&
          item.revision === 1 &&
          isTimestamp(item.createdAt),
        `create_many: an entry is not {id, revision: 1, createdAt}: ${short(item)}`,
      );
    }
    const got = this.onlyEntry('get_data', await this.call('get_data', { ...base, id: made[1].id }), { revision: 1 });
    check(got.title === 'many 1', `create_many: entries not stored in order: ${short(got)}`);
    const again = await this.call('create_many', args);
    check(jsonEqual(again, first), `create_many retry: ${short(again)} differs from the first ${short(first)}`);
    const count = async () => this.call('count_data', { ...base, filter: { batch } });
    check(jsonEqual(await count(), { count: 3 }), 'create_many retry created again');
    emit('create_many', { ids: made.map((m) => m.id), replayed: true });

    let err = await this.toolError('create_many', { ...args, entries: entries.slice(0, 2) }, 'CONFLICT');
    check(err.message.includes('key'), `create_many reused key: the message does not say so: ${short(err)}`);
    const bad = [entries[0], { title: 'x', id: 'mine' }];
    err = await this.toolError('create_many', { ...base, entries: bad, idempotencyKey: `${key}-bad` }, 'INVALID_ARGUMENT');
    check(err.field === 'entries[1]', `create_many bad entry: field should be entries[1]: ${short(err)}`);
    check(jsonEqual(await count(), { count: 3 }), 'create_many with a bad entry wrote some');
    emit('create_many refusals', { conflict: 'CONFLICT', invalid: err.field });

    const one = { ...base, data: { title: 'once', batch }, idempotencyKey: `${key}-one` };
    const created = this.onlyEntry('create_data', await this.call('create_data', one), { revision: 1 });
    const replayed = this.onlyEntry('create_data', await this.call('create_data', one), { revision: 1 });
    check(jsonEqual(replayed, created), `create_data retry: ${short(replayed)} differs from ${short(created)}`);
    check(jsonEqual(await count(), { count: 4 }), 'create_data retry created again');
    emit('create_data idempotencyKey', { id: created.id });
  }

  // "Undo what you just did": a wrong update found through list_activity and get_history,
  // set back with restore_data; then a delete undone.
  async undo() {
    const base = { projectId: this.projectId, collectionName: this.collection };
    const made = this.onlyEntry('create_data', await this.call('create_data', { ...base, data: { title: 'keep me', n: 50 } }), { revision: 1 });
    const id = made.id;
    await this.call('update_data', { ...base, id, modifier: { $set: { title: 'oops' }, $inc: { n: 1 } } });
    const act = await this.call('list_activity', { projectId: this.projectId, limit: 1 });
    const last = (act.records ?? [])[0] ?? {};
    check(
      last.id === id && last.action === 'update' && last.tool === 'update_data',
      `list_activity: the last write should be the update of ${id}: ${short(act)}`,
    );
    const hist = await this.call('get_history', { ...base, id });
    const revisions = (hist.records ?? []).map((r) => r.revision);
    check(jsonEqual(revisions, [2, 1]), `get_history: expected revisions [2, 1]: ${short(hist)}`);
    const back = this.onlyEntry('restore_data', await this.call('restore_data', { ...base, id, revision: 1, expectedRevision: 2 }), { revision: 3 });
    check(back.title === 'keep me' && back.n === 50, `restore_data: revision 1's data is not back: ${short(back)}`);
    await this.call('delete_data', { ...base, id });
    await this.toolError('get_data', { ...base, id }, 'NOT_FOUND');
    this.onlyEntry('restore_data', await this.call('restore_data', { ...base, id }), { revision: 5 });
    this.onlyEntry('get_data', await this.call('get_data', { ...base, id }), { revision: 5 });
    emit('undo', { id, revisions: 5 });
  }

  async resources() {
    const uri = `platform://projects/${this.projectId}/types/${this.collection}`;
    const offered = [];
    for (const kind of ['resources', 'templates']) {
      let cursor;
      for (let i = 0; i < 20; i++) {
        try {
          const params = cursor ? { cursor } : undefined;
          if (kind === 'resources') {
            const page = await this.client.listResources(params);
            offered.push(...page.resources.map((r) => r.uri));
            cursor = page.nextCursor;
          } else {
            const page = await this.client.listResourceTemplates(params);
            offered.push(...page.resourceTemplates.map((t) => t.uriTemplate));
            cursor = page.nextCursor;
          }
        } catch (e) {
          if (!(e instanceof McpError)) throw e;
          offered.push(`<${kind} error ${e.code}: ${e.message}>`);
          break;
        }
        if (!cursor) break;
      }
    }
    check(
      offered.some((o) => o === uri || templateMatches(o, uri)),
      `neither resources/list nor resources/templates/list offers ${uri}: ${short(offered)}`,
    );
    emit('resources/list', { offered: offered.slice(0, 10) });

    let read;
    try {
      read = await this.client.readResource({ uri });
    } catch (e) {
      if (e instanceof McpError) throw new StepFailed(`resources/read ${uri}: ${e.message}`);
      throw e;
    }
    const contents = read.contents ?? [];
    check(contents.length >= 1, `resources/read ${uri}: no contents`);
    check(typeof contents[0].text === 'string', `resources/read ${uri}: contents[0] has no text: ${short(contents[0])}`);
    let doc;
    try {
      doc = JSON.parse(contents[0].text);
    } catch (e) {
      throw new StepFailed(`resources/read ${uri}: text is not JSON (${e.message}): ${short(contents[0].text)}`);
    }
    check(
      containsPair(doc, 'collectionName', this.collection),
      `resources/read ${uri}: no collectionName "${this.collection}" in ${short(doc)}`,
    );
    emit('resources/read', { uri, mimeType: contents[0].mimeType ?? null });

    const missing = `platform://projects/${randomUUID()}/types/nope`;
    let got;
    try {
      got = await this.client.readResource({ uri: missing });
    } catch (e) {
      if (!(e instanceof McpError)) throw e;
      check(
        RESOURCE_NOT_FOUND.includes(e.code),
        `resources/read ${missing}: error code ${e.code}, expected one of ${RESOURCE_NOT_FOUND}`,
      );
      emit('resources/read missing', { code: e.code, message: e.message });
      return;
    }
    throw new StepFailed(`resources/read ${missing}: expected a JSON-RPC error, got ${short(got)}`);
  }
}

function fail(step, message) {
  console.log(JSON.stringify({ step, ok: false, error: message }));
  console.error(`tools_client.mjs: FAILED at ${step}: ${message}`);
  return 1;
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'read-tools': { type: 'string' },
      'write-tools': { type: 'string' },
    },
  });
  const read = values['read-tools'];
  const write = values['write-tools'];
  if (!values.url || !values.token || (read === undefined) !== (write === undefined)) {
    console.error(
      'usage: node tools_client.mjs --url http://127.0.0.1:PORT/mcp --token TOKEN [--read-tools a,b --write-tools c,d]',
    );
    return 2;
  }
  const tools = read === undefined ? null : { read: read.split(','), write: write.split(',') };
  const transport = new StreamableHTTPClientTransport(new URL(values.url), {
    requestInit: { headers: { Authorization: `Bearer ${values.token}` } },
  });
  const client = new Client({ name: 'platform-mcp-e2e', version: '0.0.0' });
  let step = 'connect';
  try {
    await client.connect(transport);
    const run = new Run(client, transport, tools);
    const steps = [
      ['protocol', () => run.protocol()],
      ['tools/list', () => run.toolsList()],
      ['list_projects', () => run.listProjects()],
      ['list_types', () => run.listTypes()],
      ['create_data', () => run.create()],
      ['get_data', () => run.get()],
      ['query_data', () => run.query()],
      ['count_data', () => run.count()],
      ['aggregate_data', () => run.aggregate()],
      ['update_data', () => run.update()],
      ['delete_data', () => run.delete()],
      ['bulk', () => run.bulk()],
      ['query_data filtre', () => run.unknownArgument()],
      ['create_data string', () => run.dataAsString()],
      ['resources', () => run.resources()],
      ['page size', () => run.pageSize()],
      ['create_many', () => run.createMany()],
      ['undo', () => run.undo()],
    ];
    for (const [name, action] of steps) {
      step = name;
      await action();
    }
  } catch (e) {
    if (e instanceof StepFailed) return fail(step, e.message);
    const cause = e?.cause ? ` (cause: ${e.cause.code ?? ''} ${e.cause.message ?? e.cause})` : '';
    return fail(step, `${e?.name ?? 'Error'}: ${e?.message ?? e}${cause}`);
  } finally {
    await client.close().catch(() => {});
  }
  console.log(JSON.stringify({ step: 'done', ok: true }));
  return 0;
}

process.exitCode = await main();
