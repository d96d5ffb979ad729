import ArgumentParser
import ReleaseKit

/// Commands of the product that are not built yet: listed in --help, and refusing to run
/// rather than pretending.
enum NotBuilt {
    static func refuse(_ name: String) -> ReleaseError {
        ReleaseError("release \(name) is not built yet", hint: "See README.md for the commands available today.")
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Merge develop into testing.")
        func run() throws { throw refuse("promote") }
    }

    struct Cut: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Merge testing into master, write the ChangeLog, tag.")
        func run() throws { throw refuse("cut") }
    }

    struct Finish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Merge master back into develop.")
        func run() throws { throw refuse("finish") }
    }

    struct Hotfix: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Start, finish and list hotfix branches.")
        func run() throws { throw refuse("hotfix") }
    }

    struct Continue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Complete an interrupted operation.")
        func run() throws { throw refuse("continue") }
    }

    struct Abort: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "(not built yet) Undo an interrupted operation.")
        func run() throws { throw refuse("abort") }
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
