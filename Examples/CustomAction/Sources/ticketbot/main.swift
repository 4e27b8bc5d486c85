import Runtime
import Server

var registry = ActionRegistry.builtIn
registry.register(CreateTicket())
await RulebotCommand.main(registry: registry)
