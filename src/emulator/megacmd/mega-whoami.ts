#!/usr/bin/env node
// Stand-in for MEGAcmd's `mega-whoami`, talking to a running bridge emulator
// through the state file named by MEGA_EMULATOR_STATE.
import { runWhoami } from './account-commands.js'
import { emit } from './stand-in.js'

emit(runWhoami(process.argv.slice(2), process.env))
