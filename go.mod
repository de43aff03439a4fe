module github.com/entrasig/entrasig

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/bradleyjkemp/sigma-go v0.6.6
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/alecthomas/participle v0.7.1 // indirect
