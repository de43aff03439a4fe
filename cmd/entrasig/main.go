// Command entrasig compiles Sigma rules for Entra ID sign-in logs into Sentinel KQL, ES|QL, Kibana
// Query Language and Splunk SPL. This package is the composition root: it owns flags, file walking,
// output files, exit codes and the choice of backends by name; everything else lives in rules,
// translate and backends.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
