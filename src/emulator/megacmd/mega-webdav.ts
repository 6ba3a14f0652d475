#!/usr/bin/env node
// Stand-in for MEGAcmd's `mega-webdav`, talking to a running bridge emulator
// through the state file named by MEGA_EMULATOR_STATE.
import { runWebdav } from './webdav-command.js'
import { emit } from './stand-in.js'

emit(runWebdav(process.argv.slice(2), process.env))
