/**
 * The console's only client code, served as `/console/assets/console.js`: draws the charts with
 * uPlot, refreshes the live overview every 2 s and streams the test chat. Plain ES2017, no
 * build step; every page reads and works without it.
 */
export const CONSOLE_SCRIPT = `(function () {
  'use strict'
  var dataEl = document.getElementById('console-data')
  var data = dataEl ? JSON.parse(dataEl.textContent || '{}') : {}
  var meta = document.querySelector('meta[name=csrf-token]')
  var csrf = meta ? meta.getAttribute('content') : ''
  var COLORS = ['#1f4fd1', '#c2410c', '#116329', '#7e22ce', '#a40e26', '#0e7490', '#4a4a55', '#b45309']
  var charts = {}

  function draw(id, x, series, unit, time) {
    var el = document.getElementById(id)
    if (!el || typeof uPlot === 'undefined') return
    var width = Math.max(260, el.clientWidth || 300)
    var opts = {
      width: width, height: 180,
      scales: { x: { time: time !== false } },
      series: [{ label: time === false ? '' : 'time' }].concat(series.map(function (s, i) {
        return { label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true }
      })),
      axes: [{ label: time === false ? '' : 'UTC' }, { label: unit, size: 60 }],
      legend: { show: true }
    }
    var rows = [x].concat(series.map(function (s) { return s.values }))
    if (charts[id]) { charts[id].setData(rows); return }
    el.textContent = ''
    charts[id] = new uPlot(opts, rows, el)
  }

  function fmt(v) { return v === null || v === undefined ? '–' : Number(v).toFixed(2) + ' s' }

  function drawLive(samples) {
    var t = samples.map(function (s) { return s.t })
    var pick = function (k) { return samples.map(function (s) { return s[k] }) }
    draw('chart-queue', t, [{ label: 'waiting', values: pick('queueDepth') }], 'requests')
    draw('chart-wait', t, [{ label: 'premium', values: pick('waitPremium') }, { label: 'free', values: pick('waitFree') }], 'seconds')
    draw('chart-ttft', t, [{ label: 'first token', values: pick('firstToken') }], 'seconds')
    var last = samples[samples.length - 1]
    if (!last) return
    document.querySelectorAll('[data-live]').forEach(function (cell) {
      var k = cell.getAttribute('data-live')
      cell.textContent = k === 'queueDepth' ? String(last[k]) : fmt(last[k])
    })
  }

  if (data.live) {
    drawLive(data.samples || [])
    setInterval(function () {
      fetch(data.live, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null })
        .then(function (j) { if (j) drawLive(j.samples) }).catch(function () {})
    }, 2000)
  }

  if (data.charts) {
    data.charts.forEach(function (c) { draw(c.id, c.x, c.series, c.unit, true) })
  }

  var chat = document.getElementById('chat-form')
  if (chat) {
    chat.addEventListener('submit', function (e) {
      e.preventDefault()
      var out = document.getElementById('chat-out')
      var form = new FormData(chat)
      out.textContent = ''
      out.setAttribute('aria-busy', 'true')
      fetch('/console/chat', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ persona: form.get('persona'), text: form.get('text') })
      }).then(function (res) {
        var reader = res.body.getReader()
        var decoder = new TextDecoder()
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) { out.setAttribute('aria-busy', 'false'); return }
            out.textContent += decoder.decode(r.value, { stream: true })
            return pump()
          })
        }
        return pump()
      }).catch(function (err) { out.textContent = 'The test chat failed: ' + err })
    })
  }
})()
`
