package search

import "passhub/app/plugin"

var engines = plugin.NewRegistry[Options, Engine]("search", "engine")

// Register makes an engine available under name.
func Register(name string, f Factory) { engines.Register(name, f) }

// New builds the engine registered under name.
func New(name string, o Options) (Engine, error) { return engines.New(name, o) }

// Names lists the registered engines.
func Names() []string { return engines.Names() }
