// A seeder speaking the original 2015 GitTorrent wire format (PROTOCOL.md section 4, the parts marked (orig)), built
// from the original npm packages: bittorrent-protocol@1.5.7 + ut_gittorrent@0.1.1. It accepts a BitTorrent handshake
// whose info_hash is COMMIT, and answers ut_gittorrent {sha} with {infoHash: PACK_INFOHASH} exactly as the original
// did (the pack itself is seeded by another client). Prints "listening <port>" and one "asked <sha>" per request.
// Usage: node original-gittorrent-peer.js COMMIT PACK_INFOHASH   (NODE_PATH must reach tests/Interop/node/node_modules)
'use strict'
var net = require('net')
var crypto = require('crypto')
var Protocol = require('bittorrent-protocol')
var utGittorrent = require('ut_gittorrent')

var commit = process.argv[2]
var packInfoHash = process.argv[3]
if (!/^[0-9a-f]{40}$/.test(commit || '') || !/^[0-9a-f]{40}$/.test(packInfoHash || '')) {
  console.error('usage: node original-gittorrent-peer.js COMMIT PACK_INFOHASH')
  process.exit(2)
}
var peerId = crypto.randomBytes(20).toString('hex')

var server = net.createServer(function (socket) {
  var wire = new Protocol()
  socket.pipe(wire).pipe(socket)
  socket.on('error', function () {})
  wire.on('error', function () { socket.destroy() })
  wire.use(utGittorrent())
  wire.on('handshake', function (infoHash) {
    var hex = Buffer.isBuffer(infoHash) ? infoHash.toString('hex') : String(infoHash)
    if (hex !== commit) {
      console.log('refused ' + hex)
      socket.destroy()
      return
    }
    wire.handshake(commit, peerId)
  })
  wire.ut_gittorrent.on('generatePack', function (sha) {
    console.log('asked ' + sha)
    if (sha === commit) {
      wire.ut_gittorrent.sendTorrent(packInfoHash)
    }
  })
})
server.listen(0, '127.0.0.1', function () {
  console.log('listening ' + server.address().port)
})
process.stdin.on('end', function () { process.exit(0) })
process.stdin.resume()
