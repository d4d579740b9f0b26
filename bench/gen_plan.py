#!/usr/bin/env python3
"""Writes a valid rbk plan of about SIZE megabytes to stdout (for the front-end benchmark).

The plan is built from the seed runbook's shapes: a safety gate first (as every seed plan has; without
it `rbk check` warns at every mutation), steps with actions, waits, asserts, parallel
blocks, notifications and string interpolation, each step with a unique title."""
import sys

size = float(sys.argv[1]) * 1024 * 1024
head = '''runbook "bench" {
  title = "generated benchmark plan"
  deadline = 5m
}

param namespace = "greenlang"
param min_connected: int = 90

let plant = kube(namespace: namespace)
let orch = plant.service("gl-001-process-heat-orchestrator", port: 8000)
let incidents = slack(webhook: secret("SLACK_WEBHOOK_URL"), channel: "#gl-001-incidents")

gate "backup heat available at every plant" {
  let backup = orch.get("/api/v1/plants/backup-heat-status")
  assert all(backup.plants, p => p.backup_available), "no backup heat"
}

'''
block = '''# Block {i}: roll back one agent and verify it.
step "roll back agent {i}" timeout 2m retry 2 backoff 5s {{
  plant.rollout_undo("deployment/gl-{i}-agent", to_revision: {rev})
  plant.rollout_status("deployment/gl-{i}-agent", timeout: 90s)
  let agents = orch.get("/api/v1/agents/status").agents
  let connected = count(agents, a => a.status == "connected" and a.plant_id != "Plant-{i}")
  assert connected >= min_connected, "only ${{connected}}/${{len(agents)}} agents connected after {i}"
  parallel max 4 {{
    orch.post("/api/v1/config/reload", {{plants: ["Plant-{i}"], "gradual": true}})
    wait until orch.get("/api/v1/health").status == "ok" every 10s timeout 1m
  }}
  if connected < min_connected + {rev} {{
    notify incidents "agent {i}: ${{connected}} connected (${{run.elapsed}} elapsed)"
  }} else {{
    expect len(agents) == 99, "expected 99 agents"
  }}
}}

'''
out = sys.stdout
out.write(head)
written = len(head)
i = 0
while written < size:
    text = block.format(i=i, rev=i % 13 + 1)
    out.write(text)
    written += len(text)
    i += 1
