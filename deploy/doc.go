// Package deploy holds no code: it is the deployment files of a shoal
// cluster beyond one machine (a NATS JetStream cluster, systemd and
// Kubernetes workers; see README.md), and the tests that keep them
// accurate. The tests parse every file, load the NATS server configuration
// with nats-server's own parser, start three servers from it and run a task
// through them with the options and flags the files use.
package deploy
