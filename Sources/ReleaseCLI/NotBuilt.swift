import ArgumentParser
import ReleaseKit

/// Commands of the product that are not built yet: listed in --help, and refusing to run
/// rather than pretending.
enum NotBuilt {
    static func refuse(_ name: String) -> ReleaseError {
        ReleaseError("release \(name) is not built yet", hint: "See README.md for the commands available today.")
    }







    struct SwitchNginx: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "switch-nginx", abstract: "(not built yet) Route nginx traffic to a target.")
        func run() throws { throw refuse("switch-nginx") }
    }

    struct Nginx: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Show the nginx state.")
        func run() throws { throw refuse("nginx status") }
    }
}
