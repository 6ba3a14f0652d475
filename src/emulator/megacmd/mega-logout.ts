#!/usr/bin/env node
// Stand-in for MEGAcmd's `mega-logout`, talking to a running bridge emulator
// through the state file named by MEGA_EMULATOR_STATE.
import { runLogout } from './account-commands.js'
import { emit } from './stand-in.js'

emit(runLogout(process.argv.slice(2), process.env))
