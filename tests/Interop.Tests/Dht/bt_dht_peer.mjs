// A webtorrent bittorrent-dht 11 node on 127.0.0.1 driven by JSON lines on stdin, answering with JSON
// lines on stdout (same commands as lt_dht_peer.py). Usage: node bt_dht_peer.mjs <port> <node_modules dir>
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const port = Number(process.argv[2])
const modules = process.argv[3]
const require = createRequire(join(modules, 'noop.js'))
const { default: DHT } = await import(pathToFileURL(join(modules, 'bittorrent-dht', 'index.js')).href)
const sodium = require('bittorrent-dht-sodium')
const supercop = require('ed25519-supercop')

const out = obj => process.stdout.write(JSON.stringify(obj) + '\n')
const dht = new DHT({ bootstrap: false, verify: sodium.verify, host: '127.0.0.1' })
const peersFound = new Map()
dht.on('peer', (peer, infoHash) => {
  const key = infoHash.toString('hex')
  if (!peersFound.has(key)) peersFound.set(key, new Set())
  peersFound.get(key).add(`${peer.host}:${peer.port}`)
})
dht.on('error', err => out({ event: 'crash', message: String(err) }))
await new Promise(resolve => dht.listen(port, '127.0.0.1', resolve))
out({ event: 'ready', port: dht.address().port, id: dht.nodeId.toString('hex') })

const text = v => Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : JSON.stringify(v)

async function handle (command) {
  switch (command.cmd) {
    case 'add_node':
      dht.addNode({ host: '127.0.0.1', port: command.port })
      await new Promise(resolve => setTimeout(resolve, 300))
      return { event: 'ok', nodes: dht.toJSON().nodes.length }
    case 'put_mutable': {
      const keys = supercop.createKeyPair(Buffer.from(command.seed, 'hex'))
      const opts = {
        k: Buffer.from(keys.publicKey),
        seq: command.seq,
        v: Buffer.from(command.value),
        sign: buf => supercop.sign(Buffer.from(buf), Buffer.from(keys.publicKey), Buffer.from(keys.secretKey))
      }
      if (command.salt) opts.salt = Buffer.from(command.salt, 'hex')
      return await new Promise(resolve => dht.put(opts, (err, hash, n) =>
        resolve({ event: 'put', error: err ? String(err) : null, target: hash && Buffer.from(hash).toString('hex'), success: n ?? 0 })))
    }
    case 'get_mutable':
    case 'get_immutable': {
      const target = command.target ?? createHash('sha1')
        .update(Buffer.concat([Buffer.from(command.pk, 'hex'), Buffer.from(command.salt ?? '', 'hex')])).digest('hex')
      const opts = command.salt ? { salt: Buffer.from(command.salt, 'hex') } : {}
      return await new Promise(resolve => dht.get(Buffer.from(target, 'hex'), opts, (err, res) =>
        resolve({
          event: command.cmd === 'get_mutable' ? 'mutable' : 'immutable',
          found: !err && !!res,
          error: err ? String(err) : null,
          value: res ? text(res.v) : null,
          seq: res?.seq ?? null
        })))
    }
    case 'put_immutable':
      return await new Promise(resolve => dht.put({ v: Buffer.from(command.value) }, (err, hash, n) =>
        resolve({ event: 'put', error: err ? String(err) : null, target: hash && Buffer.from(hash).toString('hex'), success: n ?? 0 })))
    case 'announce':
      return await new Promise(resolve => dht.announce(Buffer.from(command.infohash, 'hex'), command.port, err =>
        resolve({ event: 'ok', error: err ? String(err) : null })))
    case 'get_peers':
      return await new Promise(resolve => dht.lookup(Buffer.from(command.infohash, 'hex'), err =>
        resolve({ event: 'peers', error: err ? String(err) : null, peers: [...(peersFound.get(command.infohash) ?? [])] })))
    default:
      return { event: 'error', message: 'unknown command ' + command.cmd }
  }
}

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  const command = JSON.parse(line)
  if (command.cmd === 'quit') break
  try {
    out(await handle(command))
  } catch (err) {
    out({ event: 'crash', message: String(err && err.stack || err) })
  }
}
dht.destroy()
process.exit(0)
