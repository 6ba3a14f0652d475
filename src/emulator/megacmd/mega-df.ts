#!/usr/bin/env node
// Stand-in for MEGAcmd's `mega-df`, talking to a running bridge emulator
// through the state file named by MEGA_EMULATOR_STATE.
import { runDf } from './account-commands.js'
import { emit } from './stand-in.js'

emit(runDf(process.argv.slice(2), process.env))
