// The approvers' web inbox: my tasks, a task (its request, its form, one button per outcome, the
// process diagram and audit trail), my borrow requests, and the document register to borrow from.
// Preact with htm, no build step; pages are chosen by the URL's #fragment.
import { createContext, html, render, useContext, useEffect, useRef, useState } from '/vendor/preact-htm.js';
import { ApiError, call, get, session, withQuery } from './api.js';
import { showDiagram } from './diagram.js';
import { FormFields, formData } from './form.js';
import { pick, storeLanguage, storedLanguage, translator } from './i18n.js';

const Ctx = createContext(undefined);
const useCtx = () => useContext(Ctx);

const CANCELLABLE = ['pending', 'approved'];
const HELD = ['on_loan', 'in_reading', 'overdue'];
const SECRECY = ['none', 'secret', 'confidential', 'top_secret'];
const isBorrowing = (processKey) => processKey.startsWith('archive.borrow');

// ------------------------------------------------------------------ routing

/** The page the #fragment names: #/tasks?state=completed, #/task/<id>, #/requests, #/request/<id>, #/documents. */
function parseRoute(hash) {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = 'tasks', ...rest] = path.split('/');
  return { page: page || 'tasks', id: rest.length ? decodeURIComponent(rest.join('/')) : undefined, query: Object.fromEntries(new URLSearchParams(search)) };
}

const href = (page, id, query) => withQuery(`#/${page}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`, query ?? {});

function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

// ------------------------------------------------------------------ data

/**
 * Runs `load` when `deps` change, and again when `refresh` changes or on reload(); { data, error,
 * loading, reload }. A refresh keeps showing what was loaded until the new answer comes; new deps
 * start from nothing.
 */
function useLoad(load, deps, refresh = 0) {
  const key = JSON.stringify(deps);
  const [state, setState] = useState({ key, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => (previous.key === key ? { ...previous, loading: true } : { key, loading: true }));
    load().then(
      (data) => current && setState({ key, data, loading: false }),
      (error) => current && setState({ key, error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [key, round, refresh]);
  // Until the effect has run for new deps, the state is still the old deps' answer: not shown.
  return { ...(state.key === key ? state : { loading: true }), reload: () => setRound((n) => n + 1) };
}

/** A paged list (`items` under `field`, `nextCursor`), with more pages on request. */
function usePages(path, query, field) {
  const key = withQuery(path, query);
  const first = useLoad(() => get(key), [key]);
  const [more, setMore] = useState({ key, items: [], cursor: undefined });
  const extra = more.key === key ? more : { key, items: [], cursor: undefined };
  const cursor = extra.cursor === undefined ? first.data?.nextCursor : extra.cursor;
  const loadMore = async () => {
    const page = await get(withQuery(path, { ...query, cursor }));
    setMore({ key, items: [...extra.items, ...page[field]], cursor: page.nextCursor });
  };
  return { ...first, items: first.data ? [...first.data[field], ...extra.items] : [], more: cursor ? loadMore : undefined };
}

// ------------------------------------------------------------------ small parts

function useFormat() {
  const { lang } = useCtx();
  const format = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' });
  return (iso) => (iso ? format.format(new Date(iso)) : '—');
}

function Problem({ error }) {
  const { t } = useCtx();
  if (!error) return null;
  const errors = error instanceof ApiError ? error.problem?.errors ?? [] : [];
  return html`<div class="problem" role="alert">
    <strong>${error instanceof ApiError ? error.problem?.title ?? t('errors.generic') : t('errors.generic')}</strong>
    <p>${error.message}${error.problem?.ruleId ? ` (${error.problem.ruleId})` : ''}</p>
    ${errors.length > 0 && html`<ul>${errors.map((e) => html`<li><code>${e.path}</code> ${e.message}</li>`)}</ul>`}
  </div>`;
}

function Loading({ state, children }) {
  const { t } = useCtx();
  if (state.error) return html`<${Problem} error=${state.error} />`;
  if (state.data === undefined) return html`<p class="muted" aria-live="polite">${t('loading')}</p>`;
  return children();
}

function Facts({ rows }) {
  return html`<dl class="facts">${rows.filter(Boolean).map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl>`;
}

function Badge({ kind, children, ...data }) {
  return html`<span class=${`badge ${kind ?? ''}`} ...${data}>${children}</span>`;
}

function PageTitle({ children }) {
  return html`<h1 tabindex="-1">${children}</h1>`;
}

/** A row of links that set one query value of the page: a filter the API offers. */
function Filter({ label, page, query, name, options }) {
  return html`<nav class="filter" aria-label=${label}>
    <span>${label}:</span>
    ${options.map(
      ([value, text]) => html`<a href=${href(page, undefined, { ...query, [name]: value })} aria-current=${(query[name] ?? '') === value ? 'page' : undefined}>${text}</a>`,
    )}
  </nav>`;
}

/** A paged list (usePages): its items, `empty` when there are none, and a button for the next page. */
function PagedList({ pages, label, empty, item }) {
  const { t } = useCtx();
  return html`<${Loading} state=${pages}>${() =>
    pages.items.length === 0
      ? html`<p class="muted">${empty}</p>`
      : html`<ul class="list" aria-label=${label}>${pages.items.map(item)}</ul>
          ${pages.more && html`<button onClick=${pages.more}>${t('loadMore')}</button>`}`}<//>`;
}

// ------------------------------------------------------------------ sign-in

function SignIn({ config, onSignedIn }) {
  const { t } = useCtx();
  const [userId, setUserId] = useState(config.demoUsers[0]?.id ?? '');
  const [token, setToken] = useState('');
  const [error, setError] = useState();
  const { lang } = useCtx();

  const signIn = async (tokenFor) => {
    setError(undefined);
    try {
      const issued = await tokenFor();
      const { data: me } = await call('/api/v1/me', { token: issued });
      session.signIn(issued);
      onSignedIn(me);
    } catch (failure) {
      setError(failure);
    }
  };
  const devToken = async () => (await call('/api/v1/auth/dev-token', { method: 'POST', body: { userId }, token: null })).data.token;

  return html`<section class="card signin">
    <${PageTitle}>${t('signIn.title')}<//>
    ${config.devLogin &&
    html`<form onSubmit=${(e) => (e.preventDefault(), signIn(devToken))}>
      <p>${t('signIn.pick')}</p>
      <div class="field">
        <label for="demo-user">${t('signIn.pickLabel')}</label>
        <select id="demo-user" value=${userId} onChange=${(e) => setUserId(e.target.value)}>
          ${config.demoUsers.map((u) => html`<option value=${u.id}>${lang === 'zh' ? u.displayNameZh : u.displayName} (${u.id})</option>`)}
        </select>
      </div>
      <button type="submit" class="primary">${t('signIn.asUser')}</button>
    </form>`}
    <form onSubmit=${(e) => (e.preventDefault(), signIn(async () => token.trim()))}>
      <p>${t('signIn.token')}</p>
      <div class="field">
        <label for="token">${t('signIn.tokenLabel')}</label>
        <textarea id="token" rows="3" required value=${token} onInput=${(e) => setToken(e.target.value)}></textarea>
      </div>
      <button type="submit">${t('signIn.useToken')}</button>
      <p class="muted">${t('signIn.tokenHelp')}</p>
    </form>
    <${Problem} error=${error} />
  </section>`;
}

// ------------------------------------------------------------------ my tasks

function TasksPage({ query }) {
  const { t, lang, nameOf } = useCtx();
  const date = useFormat();
  const state = query.state === 'completed' ? 'completed' : 'open';
  const pages = usePages('/api/v1/tasks', { state, limit: 50 }, 'tasks');
  return html`<${PageTitle}>${t('tasks.title')}<//>
    <${Filter} label=${t('tasks.state')} page="tasks" query=${{ state }} name="state" options=${[['open', t('tasks.open')], ['completed', t('tasks.completed')]]} />
    <${PagedList}
      pages=${pages}
      label=${t('tasks.title')}
      empty=${t('tasks.empty')}
      item=${(task) => html`<li class="item" data-process-id=${task.processId} data-node-id=${task.nodeId}>
            <a class="item-title" href=${href('task', task.id)}>${pick(task.name, lang)}</a>
            <div class="item-meta">
              <span>${t('tasks.process')}: ${task.process.key} · ${nameOf(task.process.initiatorId)}</span>
              <span>${t('tasks.created')}: ${date(task.createdAt)}</span>
              ${task.dueAt && html`<span>${t('tasks.due')}: ${date(task.dueAt)}</span>`}
              ${task.via === 'delegation' && html`<${Badge} kind="warn">${t('tasks.delegated')}<//>`}
              ${task.decision && html`<${Badge} kind="ok">${t(`outcomes.${task.decision.outcome}`)}<//>`}
            </div>
          </li>`}
    />`;
}

// ------------------------------------------------------------------ a process: diagram, decisions, audit trail

function Diagram({ detail }) {
  const { t, lang } = useCtx();
  const container = useRef();
  const bpmn = useLoad(() => get(`/api/v1/process-definitions/${encodeURIComponent(detail.definition.key)}/${detail.definition.version}/bpmn`), [
    detail.definition.key,
    detail.definition.version,
  ]);
  const [state, setState] = useState({ phase: 'loading' });
  useEffect(() => {
    if (bpmn.data === undefined) return undefined;
    let viewer;
    let current = true;
    container.current.replaceChildren();
    showDiagram(container.current, bpmn.data, detail).then(
      (shown) => {
        viewer = shown;
        if (current) setState({ phase: 'ready' });
        else shown.destroy();
      },
      (error) => current && setState({ phase: 'failed', error }),
    );
    return () => {
      current = false;
      viewer?.destroy();
    };
  }, [bpmn.data, detail]);
  const waiting = detail.openTasks.map((task) => pick(task.name, lang)).join('、');
  return html`<section aria-labelledby="diagram-title">
    <h2 id="diagram-title">${t('processView.diagram')}</h2>
    <${Problem} error=${bpmn.error ?? state.error} />
    <div class="diagram" ref=${container} data-state=${state.phase} role="img" aria-label=${`${t('processView.diagram')}: ${detail.definition.key}${waiting ? ` — ${t('processView.legendCurrent')}: ${waiting}` : ''}`}></div>
    <p class="legend"><span class="swatch current"></span>${t('processView.legendCurrent')}${waiting ? `: ${waiting}` : ''} <span class="swatch taken"></span>${t('processView.legendTaken')}</p>
  </section>`;
}

function ProcessPanel({ processId, round }) {
  const { t, nameOf } = useCtx();
  const date = useFormat();
  const detail = useLoad(() => get(`/api/v1/processes/${encodeURIComponent(processId)}`), [processId], round);
  return html`<${Loading} state=${detail}>${() => {
    const d = detail.data;
    return html`<div class="process" data-process-status=${d.status}>
      <p>${t('processView.status')}: <${Badge}>${t(`processStatuses.${d.status}`)}<//></p>
      <${Diagram} detail=${d} />
      <section aria-labelledby="decisions-title">
        <h2 id="decisions-title">${t('processView.decisions')}</h2>
        ${d.decisions.length === 0
          ? html`<p class="muted">${t('processView.noDecisions')}</p>`
          : html`<ol class="decisions">
              ${d.decisions.map(
                (decision) => html`<li>
                  <strong>${t(`outcomes.${decision.outcome}`)}</strong> · ${nameOf(decision.decidedBy)}${decision.onBehalfOf ? ` (${t('processView.onBehalfOf')} ${nameOf(decision.onBehalfOf)})` : ''} · ${decision.nodeId} ·
                  <time datetime=${decision.at}>${date(decision.at)}</time>
                  ${decision.comment && html`<blockquote>${decision.comment}</blockquote>`}
                </li>`,
              )}
            </ol>`}
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">${t('processView.audit')}</h2>
        <div class="table-wrap">
          <table class="audit">
            <thead>
              <tr><th scope="col">${t('processView.at')}</th><th scope="col">${t('processView.event')}</th><th scope="col">${t('processView.actor')}</th><th scope="col">${t('processView.onBehalfOf')}</th><th scope="col">${t('processView.rule')}</th></tr>
            </thead>
            <tbody>
              ${d.auditTrail.map(
                (event) => html`<tr data-event=${event.event}>
                  <td><time datetime=${event.at}>${date(event.at)}</time></td>
                  <td>${t(`events.${event.event}`)}</td>
                  <td>${event.actorId ? nameOf(event.actorId) : '—'}</td>
                  <td>${event.onBehalfOf ? nameOf(event.onBehalfOf) : '—'}</td>
                  <td>${event.ruleId ?? '—'}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>
    </div>`;
  }}<//>`;
}

// ------------------------------------------------------------------ a borrow request's facts

function BorrowFacts({ request }) {
  const { t, nameOf } = useCtx();
  const date = useFormat();
  return html`<${Facts}
    rows=${[
      [t('requests.document'), `${request.document.reference} · ${request.document.title}`],
      [t('documents.secrecy'), t(`secrecy.${request.document.secrecy}`)],
      [t('requests.requester'), nameOf(request.requesterId)],
      [t('requests.mode'), t(`modes.${request.mode}`)],
      request.hours !== null && [t('requests.hours'), String(request.hours)],
      [t('requests.purpose'), request.purpose],
      [t('requests.approval'), t(`approvals.${request.approval}`)],
      [t('requests.status'), html`<${Badge} kind="status" data-status=${request.status}>${t(`borrowStatuses.${request.status}`)}<//>`],
      [t('requests.created'), date(request.createdAt)],
      request.dueAt && [t('requests.dueAt'), date(request.dueAt)],
      request.handedOverBy && [t('requests.handedOverBy'), nameOf(request.handedOverBy)],
      request.returnCondition && [t('requests.condition'), t(`values.${request.returnCondition}`)],
    ]}
  />`;
}

// ------------------------------------------------------------------ a task

function DecisionForm({ task, onDecided }) {
  const { t } = useCtx();
  const form = task.form ?? {};
  const [values, setValues] = useState({});
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  const [result, setResult] = useState();
  const formRef = useRef();

  const decide = async (outcome) => {
    if (!formRef.current.reportValidity()) return;
    setBusy(true);
    setError(undefined);
    try {
      const data = formData(form, values);
      const reply = await call(`/api/v1/tasks/${encodeURIComponent(task.id)}/complete`, {
        method: 'POST',
        body: { outcome, ...(comment.trim() ? { comment: comment.trim() } : {}), ...(Object.keys(data).length ? { data } : {}) },
      });
      setResult(reply.status === 202 ? t('task.stillWorking') : t('task.decidedAs', { outcome: t(`outcomes.${outcome}`) }));
      onDecided();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (result) return html`<p class="notice" role="status">${result}</p>`;
  if (task.state !== 'open') return html`<p class="muted">${t('task.notOpen')}</p>`;
  return html`<section class="card" aria-labelledby="decide-title">
    <h2 id="decide-title">${t('task.form')}</h2>
    <form ref=${formRef} onSubmit=${(e) => e.preventDefault()}>
      <${FormFields} form=${form} values=${values} onChange=${setValues} t=${t} />
      <div class="field">
        <label for="comment">${t('task.comment')}</label>
        <textarea id="comment" rows="3" maxlength="2000" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
      </div>
      <div class="actions">
        ${task.outcomes.map(
          (outcome, index) =>
            html`<button type="button" class=${index === 0 ? 'primary' : ''} data-outcome=${outcome} disabled=${busy} onClick=${() => decide(outcome)}>${t(`outcomes.${outcome}`)}</button>`,
        )}
      </div>
    </form>
    <${Problem} error=${error} />
  </section>`;
}

function TaskPage({ id }) {
  const { t, lang, nameOf } = useCtx();
  const date = useFormat();
  const [round, setRound] = useState(0);
  const task = useLoad(() => get(`/api/v1/tasks/${encodeURIComponent(id)}`), [id], round);
  const businessKey = task.data?.process.businessKey;
  const borrowing = task.data && isBorrowing(task.data.process.key) && businessKey;
  const request = useLoad(() => (borrowing ? get(`/api/v1/borrow-requests/${encodeURIComponent(businessKey)}`) : Promise.resolve(null)), [borrowing, businessKey], round);
  return html`<${Loading} state=${task}>${() => {
    const tk = task.data;
    return html`<${PageTitle}>${pick(tk.name, lang)}<//>
      <p><a href=${href('tasks')}>← ${t('back')}</a></p>
      <div class="columns">
        <div>
          <${Facts}
            rows=${[
              [t('task.state'), html`<${Badge} data-state=${tk.state}>${t(`states.${tk.state}`)}<//>`],
              [t('task.process'), `${tk.process.key} v${tk.process.version}`],
              [t('task.businessKey'), tk.process.businessKey ?? '—'],
              [t('task.initiator'), nameOf(tk.process.initiatorId)],
              [t('task.candidates'), tk.candidateIds.map(nameOf).join('、')],
              tk.delegateIds.length > 0 && [t('task.delegates'), tk.delegateIds.map(nameOf).join('、')],
              [t('tasks.created'), date(tk.createdAt)],
              tk.dueAt && [t('tasks.due'), date(tk.dueAt)],
            ]}
          />
          ${borrowing &&
          html`<section aria-labelledby="request-title">
            <h2 id="request-title">${t('task.request')}</h2>
            <${Loading} state=${request}>${() => html`<${BorrowFacts} request=${request.data} />
              <p><a href=${href('request', request.data.id)}>${t('requests.detail')} →</a></p>`}<//>
          </section>`}
          <${DecisionForm} key=${tk.id} task=${tk} onDecided=${() => setRound((n) => n + 1)} />
        </div>
        <div><${ProcessPanel} processId=${tk.processId} round=${round} /></div>
      </div>`;
  }}<//>`;
}

// ------------------------------------------------------------------ my requests

function RequestsPage({ query }) {
  const { t } = useCtx();
  const date = useFormat();
  const status = query.status ?? '';
  const pages = usePages('/api/v1/borrow-requests', { status, limit: 50 }, 'requests');
  const statuses = ['pending', 'approved', 'on_loan', 'in_reading', 'overdue', 'returned', 'rejected', 'cancelled', 'unavailable'];
  return html`<${PageTitle}>${t('requests.title')}<//>
    <${Filter} label=${t('requests.status')} page="requests" query=${{ status }} name="status" options=${[['', t('requests.all')], ...statuses.map((s) => [s, t(`borrowStatuses.${s}`)])]} />
    <${PagedList}
      pages=${pages}
      label=${t('requests.title')}
      empty=${t('requests.empty')}
      item=${(r) => html`<li class="item" data-request-id=${r.id}>
            <a class="item-title" href=${href('request', r.id)}>${r.document.reference} · ${r.document.title}</a>
            <div class="item-meta">
              <${Badge} kind="status" data-status=${r.status}>${t(`borrowStatuses.${r.status}`)}<//>
              <span>${t(`modes.${r.mode}`)}</span>
              <span>${t('requests.created')}: ${date(r.createdAt)}</span>
            </div>
          </li>`}
    />`;
}

function RequestActions({ request, onChanged }) {
  const { t, me } = useCtx();
  const [condition, setCondition] = useState('intact');
  const [error, setError] = useState();
  const [notice, setNotice] = useState();
  const act = async (path, body, message) => {
    setError(undefined);
    try {
      await call(path, { method: 'POST', body });
      setNotice(message);
      onChanged();
    } catch (failure) {
      setError(failure);
    }
  };
  const mayCancel = request.requesterId === me.id && CANCELLABLE.includes(request.status);
  const mayReturn = me.roles.some((grant) => grant.role === 'archivist') && HELD.includes(request.status);
  return html`<div>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    ${mayCancel && html`<button type="button" onClick=${() => act(`/api/v1/borrow-requests/${request.id}/cancel`, {}, t('requests.cancelled'))}>${t('requests.cancel')}</button>`}
    ${mayReturn &&
    html`<form class="card" onSubmit=${(e) => (e.preventDefault(), act(`/api/v1/borrow-requests/${request.id}/return`, { condition }, t('requests.returnRecorded')))}>
      <h2>${t('requests.returnTitle')}</h2>
      <div class="field">
        <label for="condition">${t('requests.condition')}</label>
        <select id="condition" value=${condition} onChange=${(e) => setCondition(e.target.value)}>
          ${['intact', 'damaged', 'missing_pages', 'lost'].map((c) => html`<option value=${c}>${t(`values.${c}`)}</option>`)}
        </select>
      </div>
      <button type="submit" class="primary">${t('requests.recordReturn')}</button>
    </form>`}
    <${Problem} error=${error} />
  </div>`;
}

function RequestPage({ id }) {
  const { t } = useCtx();
  const [round, setRound] = useState(0);
  const request = useLoad(() => get(`/api/v1/borrow-requests/${encodeURIComponent(id)}`), [id], round);
  return html`<${Loading} state=${request}>${() => html`<${PageTitle}>${t('requests.detail')}: ${request.data.document.title}<//>
    <p><a href=${href('requests')}>← ${t('back')}</a></p>
    <div class="columns">
      <div>
        <${BorrowFacts} request=${request.data} />
        <${RequestActions} request=${request.data} onChanged=${() => setRound((n) => n + 1)} />
      </div>
      <div><${ProcessPanel} processId=${request.data.processId} round=${round} /></div>
    </div>`}<//>`;
}

// ------------------------------------------------------------------ the document register

function BorrowForm({ document, onCancel }) {
  const { t } = useCtx();
  const [mode, setMode] = useState(document.secrecy === 'confidential' ? 'reading' : 'loan');
  const [hours, setHours] = useState('');
  const [purpose, setPurpose] = useState('');
  const [error, setError] = useState();
  const submit = async (event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const { data } = await call('/api/v1/borrow-requests', {
        method: 'POST',
        body: { documentId: document.id, mode, purpose, ...(hours === '' ? {} : { hours: Number(hours) }) },
      });
      location.hash = href('request', data.id);
    } catch (failure) {
      setError(failure);
    }
  };
  return html`<form class="card borrow" onSubmit=${submit} aria-label=${t('documents.borrowTitle', { title: document.title })}>
    <h2>${t('documents.borrowTitle', { title: document.title })}</h2>
    <fieldset>
      <legend>${t('requests.mode')}</legend>
      ${['loan', 'reading'].map(
        (m) => html`<label class="inline"><input type="radio" name="mode" value=${m} checked=${mode === m} onChange=${() => setMode(m)} /> ${t(`modes.${m}`)}</label>`,
      )}
    </fieldset>
    <div class="field">
      <label for="hours">${t('requests.hours')}</label>
      <input id="hours" type="number" min="1" step="any" value=${hours} aria-describedby="hours-help" onInput=${(e) => setHours(e.target.value)} />
      <small id="hours-help">${t('documents.hoursHelp')}</small>
    </div>
    <div class="field">
      <label for="purpose">${t('requests.purpose')}</label>
      <textarea id="purpose" rows="3" required maxlength="2000" value=${purpose} onInput=${(e) => setPurpose(e.target.value)}></textarea>
    </div>
    <div class="actions">
      <button type="submit" class="primary">${t('documents.submit')}</button>
      <button type="button" onClick=${onCancel}>${t('documents.cancel')}</button>
    </div>
    <${Problem} error=${error} />
  </form>`;
}

function DocumentsPage({ query }) {
  const { t, lang } = useCtx();
  const [search, setSearch] = useState(query.q ?? '');
  const [borrowing, setBorrowing] = useState();
  const filters = { q: query.q, secrecy: query.secrecy, limit: 50 };
  const pages = usePages('/api/v1/documents', filters, 'documents');
  return html`<${PageTitle}>${t('documents.title')}<//>
    <form class="search" role="search" onSubmit=${(e) => (e.preventDefault(), (location.hash = href('documents', undefined, { ...query, q: search.trim() })))}>
      <label for="q">${t('documents.search')}</label>
      <input id="q" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)} />
      <button type="submit">🔍</button>
    </form>
    <${Filter} label=${t('documents.secrecy')} page="documents" query=${query} name="secrecy" options=${[['', t('documents.any')], ...SECRECY.map((s) => [s, t(`secrecy.${s}`)])]} />
    <${PagedList}
      pages=${pages}
      label=${t('documents.title')}
      empty=${t('documents.empty')}
      item=${(d) => html`<li class="item" data-document-id=${d.id}>
            <div class="item-title">${d.reference} · ${d.title}</div>
            <div class="item-meta">
              <span>${pick(d.categoryLabel, lang)}</span>
              <${Badge} kind=${d.secrecy === 'none' ? '' : 'warn'}>${pick(d.secrecyLabel, lang)}<//>
              <span>${t(`documentStatuses.${d.status}`)}</span>
              ${d.status === 'in_archive' &&
              html`<button type="button" aria-expanded=${borrowing === d.id} onClick=${() => setBorrowing(borrowing === d.id ? undefined : d.id)}>${t('documents.borrow')}</button>`}
            </div>
            ${borrowing === d.id && html`<${BorrowForm} document=${d} onCancel=${() => setBorrowing(undefined)} />`}
          </li>`}
    />`;
}

// ------------------------------------------------------------------ the shell

const pages = { tasks: TasksPage, task: TaskPage, requests: RequestsPage, request: RequestPage, documents: DocumentsPage };

function App() {
  const [lang, setLang] = useState(storedLanguage);
  const [config, setConfig] = useState();
  const [me, setMe] = useState();
  const [checked, setChecked] = useState(false);
  const route = useRoute();
  const t = translator(lang);

  useEffect(() => {
    get('/app/config.json').then(setConfig);
    const signedIn = session.token() ? get('/api/v1/me').then(setMe, () => session.signOut()) : Promise.resolve();
    signedIn.finally(() => setChecked(true));
    const expired = () => {
      session.signOut();
      setMe(undefined);
    };
    window.addEventListener('custodian:unauthorized', expired);
    return () => window.removeEventListener('custodian:unauthorized', expired);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('appName');
  }, [lang]);
  // A new page: its heading takes the focus, so a keyboard or screen reader user starts there.
  useEffect(() => {
    document.querySelector('main h1')?.focus();
  }, [route.page, route.id, me]);

  const names = new Map((config?.demoUsers ?? []).map((u) => [u.id, lang === 'zh' ? u.displayNameZh : u.displayName]));
  if (me) names.set(me.id, lang === 'zh' ? me.displayNameZh : me.displayName);
  const nameOf = (id) => names.get(id) ?? id;
  const switchLanguage = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    storeLanguage(next);
    setLang(next);
  };
  const signOut = () => {
    session.signOut();
    setMe(undefined);
  };

  const Page = pages[route.page] ?? TasksPage;
  return html`<${Ctx.Provider} value=${{ t, lang, me, nameOf }}>
    <a class="skip" href="#main" onClick=${(e) => (e.preventDefault(), document.getElementById('main').focus())}>${t('skip')}</a>
    <header class="top">
      <strong class="brand">${t('appName')}</strong>
      ${me &&
      html`<nav aria-label=${t('appName')}>
        ${['tasks', 'requests', 'documents'].map((page) => html`<a href=${href(page)} aria-current=${route.page === page || route.page === page.replace(/s$/, '') ? 'page' : undefined}>${t(`nav.${page}`)}</a>`)}
      </nav>`}
      <div class="who">
        ${me && html`<span class="me" data-user-id=${me.id}>${nameOf(me.id)}</span>`}
        <button type="button" lang=${lang === 'zh' ? 'en' : 'zh'} aria-label=${t('languageLabel')} onClick=${switchLanguage}>${t('language')}</button>
        ${me && html`<button type="button" onClick=${signOut}>${t('signOut')}</button>`}
      </div>
    </header>
    <main id="main" tabindex="-1">
      ${!config || !checked
        ? html`<p class="muted">${t('loading')}</p>`
        : me
          ? html`<${Page} key=${`${route.page}/${route.id ?? ''}`} id=${route.id} query=${route.query} />`
          : html`<${SignIn} config=${config} onSignedIn=${setMe} />`}
    </main>
  </${Ctx.Provider}>`;
}

render(html`<${App} />`, document.getElementById('app'));
