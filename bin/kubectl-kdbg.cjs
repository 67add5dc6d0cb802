#!/usr/bin/env node
// `kubectl kdbg …`: kubectl runs the kubectl-kdbg on the PATH with the words after `kdbg`, unchanged, so this is
// kdbg itself (-n, --context and --kubeconfig included).
'use strict';
require('./kdbg.cjs');
