import ArgumentParser
import ReleaseKit

extension Release {
    struct NextVersion: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next-version",
            abstract: "Print the next release tag.",
            discussion: """
                The last release is the highest release tag reachable from the production branch; \
                the next one bumps it (patch by default). With no release yet, it is release.initialVersion.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var version: VersionOptions

        func run() throws {
            let workspace = try global.workspace(needsWorkingTree: false)
            let next = try workspace.nextRelease(version.choice, date: version.releaseDate)
            if let warning = next.warning { Terminal.standardError("warning: \(warning)") }
            if let inferred = next.inferred, !global.json { Terminal.standardError("bump \(inferred)") }
            if global.json {
                try Terminal.json(NextVersionResult(next))
            } else {
                print(next.tag)
            }
        }
    }
}

/// `--bump`, `--version` and `--date`, shared by the commands that name a release.
struct VersionOptions: ParsableArguments {
    @Option(help: "Which part to increase: patch, minor, major, or auto from the commits' conventional types (default: release.bump, else patch).")
    var bump: BumpArgument?

    @Option(name: .customLong("version"), help: ArgumentHelp("Release exactly this version instead of bumping.", valueName: "X.Y.Z"))
    var exactVersion: String?

    @OptionGroup var date: DateOption

    func validate() throws {
        if bump != nil, exactVersion != nil {
            throw ValidationError("Give either --bump or --version, not both.")
        }
        if let exactVersion, Version(exactVersion) == nil {
            throw ValidationError("--version '\(exactVersion)' is not a version: write it as MAJOR.MINOR.PATCH, e.g. 1.4.0.")
        }
    }

    /// nil: release.bump decides.
    var choice: VersionChoice? {
        exactVersion.flatMap(Version.init).map(VersionChoice.exactly) ?? bump?.choice
    }

    var releaseDate: ReleaseDate? { date.releaseDate }
}

/// `--date`, for the commands that date a release.
struct DateOption: ParsableArguments {
    @Option(help: ArgumentHelp("The release date (default: today, local time).", valueName: "YYYYMMDD"))
    var date: String?

    func validate() throws {
        if let date, ReleaseDate(compact: date) == nil {
            throw ValidationError("--date '\(date)' is not a date: write it as YYYYMMDD, e.g. 20261121.")
        }
    }

    var releaseDate: ReleaseDate? { date.flatMap(ReleaseDate.init(compact:)) }
}

extension Bump: ExpressibleByArgument {}

/// `--bump`: a part, or `auto`.
enum BumpArgument: String, CaseIterable, ExpressibleByArgument {
    case patch, minor, major, auto

    var choice: VersionChoice { Bump(rawValue: rawValue).map(VersionChoice.bump) ?? .inferred }
}

/// What `next-version --json` prints.
struct NextVersionResult: Encodable {
    let tag: String
    let version: String
    let major: Int
    let minor: Int
    let patch: Int
    let date: String
    let previous: String?
    let bump: String?
    let reason: String?

    init(_ next: NextRelease) {
        tag = next.tag
        version = next.version.description
        major = next.version.major
        minor = next.version.minor
        patch = next.version.patch
        date = next.date.description
        previous = next.previous?.name
        bump = next.inferred?.bump.rawValue
        reason = next.inferred?.reason
    }
}
