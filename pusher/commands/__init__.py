"""Sub-commands of `ordersync`; each module has register(subparsers)."""
