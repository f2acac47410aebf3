'use strict';
// The dashboard page: reads the JSON API (or, in a report, the data embedded in the file) and draws with echarts.
(function () {
  const REPORT = window.HYBRID_REPORT || null;
  const tokenMeta = document.querySelector('meta[name="hybrid-token"]');
  const TOKEN = tokenMeta ? tokenMeta.content : '';
  const $ = (id) => document.getElementById(id);
  const state = { sort: 'sequence', order: 'asc', offset: 0, limit: 50, status: '', platform: '', cursor: null,
    overview: null, detail: null, chartsAt: 0, chartsPending: false, refreshedAt: 0 };
  const charts = {};

  // ------------------------------------------------------------------ data access
  async function api(path) {
    if (REPORT) {
      return reportApi(path);
    }
    const r = await fetch(path, { headers: { 'X-Hybrid-Token': TOKEN } });
    const body = await r.json();
    if (!r.ok) {
      throw new Error(body.error || ('HTTP ' + r.status));
    }
    return body;
  }

  async function post(path, body) {
    const r = await fetch(path, { method: 'POST', headers: { 'X-Hybrid-Token': TOKEN,
      'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
    const answer = await r.json();
    if (!r.ok) {
      throw new Error(answer.error || ('HTTP ' + r.status));
    }
    return answer;
  }

  // A report has every trial and the charts' data in the file: the table's queries are answered here.
  function reportApi(path) {
    const url = new URL(path, 'http://report.invalid');
    const p = url.pathname;
    if (p === '/api/overview') return REPORT.overview;
    if (p.startsWith('/api/charts/')) return REPORT.charts[p.substring('/api/charts/'.length)];
    if (p === '/api/trials') {
      const q = url.searchParams;
      const status = q.get('status') || '';
      const platform = q.get('platform') || '';
      let rows = REPORT.trials.filter((t) => (!status || t.status === status) && (!platform || t.platform === platform));
      const sort = q.get('sort') || 'sequence';
      const desc = q.get('order') === 'desc';
      const key = (t) => sort.startsWith('param.') ? t.parameters[sort.substring(6)]
        : sort === 'value' ? t.value : sort === 'duration' ? t.durationMs : t[sort];
      rows = rows.slice().sort((a, b) => {
        const x = key(a), y = key(b);
        if (x == null || y == null) return x == null && y == null ? a.sequence - b.sequence : x == null ? 1 : -1;
        const c = x < y ? -1 : x > y ? 1 : 0;
        return (desc ? -c : c) || a.sequence - b.sequence;
      });
      const offset = Number(q.get('offset') || 0), limit = Number(q.get('limit') || 50);
      return { total: rows.length, offset: offset, rows: rows.slice(offset, offset + limit),
        parameterNames: REPORT.overview.parameterNames };
    }
    if (p.startsWith('/api/trials/')) {
      const id = decodeURIComponent(p.substring('/api/trials/'.length));
      const row = REPORT.trials.find((t) => t.id === id);
      return REPORT.details[id] || Object.assign({ intermediate: [], logs: {}, final: null }, row);
    }
    throw new Error('not in this report: ' + path);
  }

  // ------------------------------------------------------------------ formatting
  function fmtDuration(ms) {
    if (ms == null) return '–';
    let s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
  }
  function fmtValue(v) {
    if (v == null) return '–';
    if (typeof v === 'number') return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4)
      : String(Math.round(v * 1e6) / 1e6);
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function kvTable(table, obj) {
    table.replaceChildren();
    Object.keys(obj || {}).forEach((k) => {
      const tr = document.createElement('tr');
      cell(tr, k);
      cell(tr, fmtValue(obj[k]));
      table.appendChild(tr);
    });
  }
  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
    }
    return charts[id];
  }
  const STATUS_COLORS = { SUCCEEDED: '#2e9d57', FAILED: '#d64541', RUNNING: '#3b82f6', WAITING: '#aaa',
    EARLY_STOPPED: '#e6a23c', USER_CANCELED: '#888', SYS_CANCELED: '#b36b00', UNKNOWN: '#ccc' };

  // ------------------------------------------------------------------ overview
  function renderOverview(o) {
    state.overview = o;
    $('exp-id').textContent = o.id;
    $('exp-name').textContent = o.name ? '· ' + o.name : '';
    document.title = 'Hybrid ' + o.id;
    const badge = $('exp-status');
    badge.textContent = o.status;
    badge.className = 'badge ' + o.status;
    $('live').textContent = REPORT ? 'report of ' + new Date(o.asOf).toLocaleString()
      : o.live ? 'live' : 'not running';
    $('elapsed').textContent = fmtDuration(o.elapsedMs);
    $('max-duration').textContent = o.maxExecDurationMs ? fmtDuration(o.maxExecDurationMs) : 'no limit';
    $('elapsed-bar').style.width = o.maxExecDurationMs ? Math.min(100, 100 * o.elapsedMs / o.maxExecDurationMs) + '%' : '0';
    $('done').textContent = o.trialsDone;
    $('max-trials').textContent = o.maxTrialNumber != null ? o.maxTrialNumber : 'no limit';
    $('done-bar').style.width = o.maxTrialNumber ? Math.min(100, 100 * o.trialsDone / o.maxTrialNumber) + '%' : '0';
    $('concurrency').textContent = o.trialConcurrency != null ? o.trialConcurrency : '–';
    $('tuner').textContent = o.tuner || '–';
    $('mode').textContent = o.optimizeMode.toLowerCase();
    $('best-value').textContent = o.best ? fmtValue(o.best.value) : '–';
    $('best-id').textContent = o.best ? o.best.id : '–';
    kvTable($('best-params'), o.best ? o.best.parameters : {});
    const tbody = $('platforms').querySelector('tbody');
    tbody.replaceChildren();
    o.platforms.forEach((p) => {
      const tr = document.createElement('tr');
      [p.platform, p.waiting, p.running, p.done, p.failed, p.canceled].forEach((v) => cell(tr, String(v)));
      tbody.appendChild(tr);
    });
    const select = $('filter-platform');
    const known = Array.from(select.options).map((x) => x.value);
    o.platforms.forEach((p) => {
      if (!known.includes(p.platform)) {
        const opt = document.createElement('option');
        opt.textContent = p.platform;
        select.appendChild(opt);
      }
    });
    $('steering').hidden = REPORT || !o.steerable;
  }

  // ------------------------------------------------------------------ trials table
  const COLUMNS = [['sequence', '#'], ['id', 'trial'], ['status', 'status'], ['platform', 'platform'],
    ['attempt', 'attempt'], ['value', 'final value'], ['duration', 'duration']];

  async function loadTrials() {
    const q = new URLSearchParams({ sort: state.sort, order: state.order, offset: state.offset, limit: state.limit });
    if (state.status) q.set('status', state.status);
    if (state.platform) q.set('platform', state.platform);
    const page = await api('/api/trials?' + q.toString());
    const params = page.parameterNames;
    const head = document.createElement('tr');
    COLUMNS.concat(params.map((p) => ['param.' + p, p])).forEach(([key, label]) => {
      const th = document.createElement('th');
      th.textContent = label + (state.sort === key ? (state.order === 'asc' ? ' ▲' : ' ▼') : '');
      th.dataset.sort = key;
      th.addEventListener('click', () => {
        state.order = state.sort === key && state.order === 'asc' ? 'desc' : 'asc';
        state.sort = key;
        state.offset = 0;
        loadTrials().catch(showError);
      });
      head.appendChild(th);
    });
    $('trials').querySelector('thead').replaceChildren(head);
    const tbody = $('trials').querySelector('tbody');
    tbody.replaceChildren();
    page.rows.forEach((t) => {
      const tr = document.createElement('tr');
      tr.dataset.trial = t.id;
      cell(tr, String(t.sequence));
      cell(tr, t.id);
      cell(tr, t.status, 'status-' + t.status).style.color = STATUS_COLORS[t.status] || '';
      cell(tr, t.platform + (t.machine ? ' ' + t.machine : ''));
      cell(tr, String(t.attempt));
      cell(tr, fmtValue(t.value));
      cell(tr, fmtDuration(t.durationMs));
      params.forEach((p) => cell(tr, fmtValue(t.parameters[p])));
      tr.addEventListener('click', () => showDetail(t.id).catch(showError));
      tbody.appendChild(tr);
    });
    $('trials-total').textContent = '(' + page.total + ')';
    const last = Math.min(page.total, page.offset + page.rows.length);
    $('page-info').textContent = page.total ? (page.offset + 1) + '–' + last + ' of ' + page.total : 'none';
    $('prev-page').disabled = page.offset === 0;
    $('next-page').disabled = last >= page.total;
  }

  // ------------------------------------------------------------------ one trial
  async function showDetail(id) {
    const t = await api('/api/trials/' + encodeURIComponent(id));
    state.detail = id;
    $('detail').hidden = false;
    $('detail-id').textContent = t.id + ' (' + t.status + ')';
    kvTable($('detail-params'), t.parameters);
    $('detail-info').textContent = 'platform ' + t.platform + (t.machine ? ' on ' + t.machine : '') + ', attempt '
      + t.attempt + ', final ' + fmtValue(t.final) + ', duration ' + fmtDuration(t.durationMs)
      + (t.exitCode != null ? ', exit code ' + t.exitCode : '') + (t.message ? ' — ' + t.message : '');
    $('log-stdout').textContent = t.logs.stdout != null ? t.logs.stdout : '(not available here)';
    $('log-stderr').textContent = t.logs.stderr != null ? t.logs.stderr : '(not available here)';
    const ov = state.overview;
    $('cancel-trial').hidden = REPORT || !(ov && ov.steerable && (t.status === 'RUNNING' || t.status === 'WAITING'));
    const points = t.intermediate.map((p) => [p.index, typeof p.value === 'number' ? p.value
      : (p.value && typeof p.value.default === 'number' ? p.value.default : null)]);
    chart('chart-detail').setOption({ animation: false, grid: { left: 50, right: 16, top: 16, bottom: 30 },
      tooltip: { trigger: 'axis' }, xAxis: { type: 'value', name: 'step', minInterval: 1 },
      yAxis: { type: 'value', scale: true }, series: [{ type: 'line', data: points, showSymbol: points.length < 50 }] },
      true);
  }

  // ------------------------------------------------------------------ charts
  // Colours from low to high metric, the better end blue whichever way the experiment optimizes.
  function better(lowToHigh) {
    return state.overview && state.overview.optimizeMode === 'MINIMIZE' ? lowToHigh.slice().reverse() : lowToHigh;
  }

  async function loadCharts() {
    const [best, curves, parallel, timeline, importance] = await Promise.all(['best', 'curves', 'parallel',
      'timeline', 'importance'].map((c) => api('/api/charts/' + c)));
    const base = { animation: false, grid: { left: 56, right: 20, top: 20, bottom: 36 }, tooltip: { trigger: 'axis' } };
    chart('chart-best-trial').setOption(Object.assign({}, base, {
      xAxis: { type: 'value', name: 'trial', minInterval: 1 }, yAxis: { type: 'value', scale: true },
      series: [{ name: 'value', type: 'scatter', symbolSize: 5, data: best.byTrial.map((r) => [r[0], r[1]]) },
        { name: 'best so far', type: 'line', step: 'end', showSymbol: false, data: best.byTrial.map((r) => [r[0], r[2]]) }]
    }), true);
    chart('chart-best-time').setOption(Object.assign({}, base, {
      xAxis: { type: 'value', name: 's' }, yAxis: { type: 'value', scale: true },
      series: [{ name: 'best so far', type: 'line', step: 'end', showSymbol: false,
        data: best.byTime.map((r) => [r[0], r[1]]) }]
    }), true);
    chart('chart-curves').setOption(Object.assign({}, base, {
      tooltip: { trigger: 'item', formatter: (p) => p.seriesName + ': ' + fmtValue(p.value[1]) },
      xAxis: { type: 'value', name: 'step', minInterval: 1 }, yAxis: { type: 'value', scale: true },
      series: curves.series.map((s) => ({ name: 'trial ' + s.id + (s.earlyStopped ? ' (early-stopped)' : ''),
        type: 'line', showSymbol: false, data: s.points, lineStyle: { width: 1, type: s.earlyStopped ? 'dashed' : 'solid',
          color: s.earlyStopped ? '#e6a23c' : s.status === 'RUNNING' ? '#3b82f6' : '#7a8ca3' },
        endLabel: { show: s.earlyStopped, formatter: '✕', color: '#e6a23c' } }))
    }), true);
    const dims = parallel.dimensions;
    const metricDim = dims.length;
    const values = parallel.rows.map((r) => r[metricDim]);
    chart('chart-parallel').setOption({ animation: false,
      parallel: { left: 40, right: 60, top: 30, bottom: 30 },
      parallelAxis: dims.map((d, i) => d.type === 'category' ? { dim: i, name: d.name, type: 'category', data: d.categories }
        : { dim: i, name: d.name, type: 'value', scale: true }).concat([{ dim: metricDim, name: 'metric', type: 'value', scale: true }]),
      visualMap: { show: values.length > 0, type: 'continuous', dimension: metricDim, orient: 'vertical', right: 0,
        top: 'middle', itemHeight: 120, min: values.length ? Math.min.apply(null, values) : 0,
        max: values.length ? Math.max.apply(null, values) : 1, inRange: { color: better(['#d94e5d', '#eac736', '#50a3ba']) } },
      series: [{ type: 'parallel', lineStyle: { width: 1, opacity: 0.5 }, data: parallel.rows.map((r) => r.slice(0, metricDim + 1)) }]
    }, true);
    const lanes = timeline.lanes;
    chart('chart-timeline').setOption({ animation: false, grid: { left: 140, right: 20, top: 10, bottom: 36 },
      tooltip: { formatter: (p) => 'trial ' + p.value[5] + ' (#' + p.value[3] + ') ' + p.value[4] + '<br>'
        + p.value[1].toFixed(1) + ' s – ' + p.value[2].toFixed(1) + ' s' },
      xAxis: { type: 'value', name: 's', min: 0 }, yAxis: { type: 'category', data: lanes },
      series: [{ type: 'custom', encode: { x: [1, 2], y: 0 }, data: timeline.bars, itemStyle: { borderColor: '#fff' },
        renderItem: (params, api) => {
          const lane = api.value(0);
          const start = api.coord([api.value(1), lane]);
          const end = api.coord([api.value(2), lane]);
          // Overlapping trials of a lane sit in rows of their own (value 6: the row, value 7: the lane's rows).
          const laneHeight = api.size([0, 1])[1] * 0.8;
          const rows = Math.max(1, api.value(7) || 1);
          const rowHeight = laneHeight / rows;
          const h = Math.max(1, rowHeight * (rows > 1 ? 0.85 : 0.75));
          const top = start[1] - laneHeight / 2 + (api.value(6) || 0) * rowHeight + (rowHeight - h) / 2;
          const rect = echarts.graphic.clipRectByRect({ x: start[0], y: top,
            width: Math.max(1, end[0] - start[0]), height: h },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
          return rect && { type: 'rect', shape: rect,
            style: { fill: STATUS_COLORS[timeline.bars[params.dataIndex][4]] || '#999' } };
        } }]
    }, true);
    const imp = importance.parameters.slice().reverse();
    chart('chart-importance').setOption(Object.assign({}, base, { grid: { left: 120, right: 30, top: 10, bottom: 30 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', name: 'share', max: 1 }, yAxis: { type: 'category', data: imp.map((p) => p.name) },
      series: [{ type: 'bar', data: imp.map((p) => Math.round(p.share * 1000) / 1000), itemStyle: { color: '#3b82f6' } }]
    }), true);
    $('importance-method').textContent = importance.parameters.length
      ? 'Method: ' + importance.method + ', over ' + importance.trials + ' trials.'
      : 'Needs at least 5 trials with a final value that differ.';
    state.chartsAt = Date.now();
  }

  // ------------------------------------------------------------------ refresh and live updates
  function showError(e) {
    $('steer-message').textContent = String(e && e.message ? e.message : e);
  }

  async function refresh() {
    const o = await api('/api/overview');
    state.cursor = o.cursor;
    state.refreshedAt = Date.now();
    renderOverview(o);
    await loadTrials();
    if (state.detail) {
      await showDetail(state.detail);
    }
    // Charts are the heaviest documents: at most one load per second and a half.
    const wait = 1500 - (Date.now() - state.chartsAt);
    if (wait <= 0) {
      await loadCharts();
    } else if (!state.chartsPending) {
      state.chartsPending = true;
      setTimeout(() => { state.chartsPending = false; loadCharts().catch(showError); }, wait);
    }
  }

  async function poll() {
    try {
      const c = await api('/api/cursor');
      // A live experiment's clock and running trials move without any change: redraw every two seconds anyway.
      const aging = state.overview && state.overview.live && Date.now() - state.refreshedAt > 2000;
      // The server builds its documents after each change on a thread of its own: reload once they are built.
      const built = c.built !== undefined ? c.built : c.cursor;
      if (built !== state.cursor || aging) {
        await refresh();
      }
    } catch (e) {
      $('live').textContent = 'disconnected';
    }
    setTimeout(poll, 500);
  }

  async function steer(path, body, what) {
    try {
      await post(path, body);
      $('steer-message').textContent = what + ': done';
      await refresh();
    } catch (e) {
      $('steer-message').textContent = what + ': ' + e.message;
    }
  }

  function wire() {
    $('filter-status').addEventListener('change', (e) => { state.status = e.target.value; state.offset = 0; loadTrials().catch(showError); });
    $('filter-platform').addEventListener('change', (e) => { state.platform = e.target.value; state.offset = 0; loadTrials().catch(showError); });
    $('prev-page').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); loadTrials().catch(showError); });
    $('next-page').addEventListener('click', () => { state.offset += state.limit; loadTrials().catch(showError); });
    $('close-detail').addEventListener('click', () => { state.detail = null; $('detail').hidden = true; });
    $('stop').addEventListener('click', () => {
      if (window.confirm('Stop the experiment? Running trials are cancelled.')) steer('/api/stop', {}, 'stop');
    });
    $('cancel-trial').addEventListener('click', () => {
      if (state.detail) steer('/api/trials/' + encodeURIComponent(state.detail) + '/cancel', {}, 'cancel ' + state.detail);
    });
    $('set-max-trials').addEventListener('click', () => steer('/api/limits',
      { maxTrialNumber: Number($('in-max-trials').value) }, 'maxTrialNumber'));
    $('set-max-duration').addEventListener('click', () => steer('/api/limits',
      { maxExecDuration: $('in-max-duration').value }, 'maxExecDuration'));
    $('set-concurrency').addEventListener('click', () => steer('/api/limits',
      { trialConcurrency: Number($('in-concurrency').value) }, 'trialConcurrency'));
    window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
  }

  wire();
  refresh().then(() => { document.body.dataset.ready = 'true'; if (!REPORT) setTimeout(poll, 500); })
    .catch((e) => { showError(e); document.body.dataset.ready = 'error'; });
})();
