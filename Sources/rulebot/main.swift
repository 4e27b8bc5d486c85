import Runtime
import Server

await RulebotCommand.main(registry: .builtIn)
