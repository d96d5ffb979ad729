/// How release tags are spelled, e.g. `release{major}.{minor}.{patch}-pro-{date}` with the date
/// as `yyyyMMdd`. It turns a version and a day into a tag name and recognises its own tags
/// among all the others in a repository.
public struct TagFormat: Equatable, Sendable {
    public static let defaultPattern = "release{major}.{minor}.{patch}-pro-{date}"
    public static let defaultDateFormat = "yyyyMMdd"

    public let pattern: String
    public let dateFormat: String
    private let segments: [Segment]

    private enum Field: Equatable, Sendable { case major, minor, patch, year, shortYear, month, day, count }

    private enum Segment: Equatable, Sendable {
        case literal([UInt8])
        /// A version part: one or more digits, no leading zero.
        case number(Field)
        /// A date part: exactly this many digits.
        case digits(Field, count: Int)
    }

    /// `counted` formats (test tags) also have `{n}`, which numbers the tags of one version and day.
    public init(pattern: String = defaultPattern, dateFormat: String = defaultDateFormat, counted: Bool = false) throws {
        self.pattern = pattern
        self.dateFormat = dateFormat
        segments = try TagFormat.compile(pattern, dateFormat: dateFormat, counted: counted)
    }

    /// The tag name of a version released on a day (the `n`th of that day, for a counted format).
    public func name(for version: Version, on date: ReleaseDate, count: Int = 1) -> String {
        var name = ""
        for segment in segments {
            switch segment {
            case .literal(let bytes): name += String(decoding: bytes, as: UTF8.self)
            case .number(.major): name += String(version.major)
            case .number(.minor): name += String(version.minor)
            case .number(.patch): name += String(version.patch)
            case .number(_): name += String(count)
            case .digits(.year, _): name += zeroPadded(date.year, 4)
            case .digits(.shortYear, _): name += zeroPadded(date.year % 100, 2)
            case .digits(.month, _): name += zeroPadded(date.month, 2)
            case .digits(_, _): name += zeroPadded(date.day, 2)
            }
        }
        return name
    }

    /// The version a tag name encodes, or nil when the name is not one of this format's tags.
    public func version(of tagName: String) -> Version? {
        parse(tagName)?.version
    }

    /// The version and, when the format spells a whole date, the day a tag name encodes.
    public func parse(_ tagName: String) -> (version: Version, date: ReleaseDate?)? {
        parseCounted(tagName).map { ($0.version, $0.date) }
    }

    /// `parse`, with the `{n}` of a counted format. Plain local parts and the name's bytes in
    /// place, no dictionary: status and cut read every tag of a repository through here.
    public func parseCounted(_ tagName: String) -> (version: Version, date: ReleaseDate?, count: Int?)? {
        var name = tagName
        return name.withUTF8 { parseCounted($0) }
    }

    private func parseCounted(_ bytes: UnsafeBufferPointer<UInt8>) -> (version: Version, date: ReleaseDate?, count: Int?)? {
        var at = 0
        var major: Int?, minor: Int?, patch: Int?, count: Int?
        var year: Int?, shortYear: Int?, month: Int?, day: Int?
        func isDigit(_ index: Int) -> Bool { index < bytes.count && (0x30...0x39).contains(bytes[index]) }
        for segment in segments {
            switch segment {
            case .literal(let literal):
                guard bytes.count - at >= literal.count, bytes[at..<at + literal.count].elementsEqual(literal) else { return nil }
                at += literal.count
            case .number(let field):
                var end = at
                while isDigit(end) { end += 1 }
                guard let value = Version.number(bytes[at..<end]) else { return nil }
                switch field {
                case .major: major = value
                case .minor: minor = value
                case .patch: patch = value
                default: count = value
                }
                at = end
            case .digits(let field, let width):
                var value = 0
                for index in at..<at + width {
                    guard isDigit(index) else { return nil }
                    value = value * 10 + Int(bytes[index] - 0x30)
                }
                switch field {
                case .year: year = value
                case .shortYear: shortYear = value
                case .month: month = value
                default: day = value
                }
                at += width
            }
        }
        guard at == bytes.count, let major, let minor, let patch else { return nil }
        let fullYear = year ?? shortYear.map { 2000 + $0 }
        let date = fullYear.flatMap { year in
            month.flatMap { month in day.flatMap { ReleaseDate(year: year, month: month, day: $0) } }
        }
        return (Version(major, minor, patch), date, count)
    }

    private static func compile(_ pattern: String, dateFormat: String, counted: Bool) throws -> [Segment] {
        var segments: [Segment] = []
        var literal: [UInt8] = []
        var seen: Set<String> = []
        func flush() {
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = []
        }
        var rest = pattern[...]
        while let first = rest.first {
            guard first == "{" else {
                literal.append(contentsOf: String(first).utf8)
                rest = rest.dropFirst()
                continue
            }
            guard let close = rest.firstIndex(of: "}") else {
                throw ReleaseError("tag format '\(pattern.clipped)' has an unclosed '{'", hint: formatHint)
            }
            let name = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            guard seen.insert(name).inserted else {
                throw ReleaseError("tag format '\(pattern.clipped)' uses {\(name.clipped)} twice", hint: formatHint)
            }
            flush()
            switch name {
            case "major": segments.append(.number(.major))
            case "minor": segments.append(.number(.minor))
            case "patch": segments.append(.number(.patch))
            case "date": segments += try compileDate(dateFormat)
            case "n" where counted: segments.append(.number(.count))
            default:
                throw ReleaseError("tag format '\(pattern.clipped)' has an unknown placeholder {\(name.clipped)}", hint: formatHint)
            }
        }
        flush()
        for required in ["major", "minor", "patch"] + (counted ? ["n"] : []) where !seen.contains(required) {
            throw ReleaseError("tag format '\(pattern.clipped)' lacks {\(required)}", hint: formatHint)
        }
        try checkUnambiguous(segments, pattern: pattern)
        return segments
    }

    private static let formatHint =
        "Set release.tagFormat to text with {major}, {minor}, {patch} and optionally {date}, e.g. \(defaultPattern)."

    /// A version number is read greedily, so what follows it must not start with a digit.
    private static func checkUnambiguous(_ segments: [Segment], pattern: String) throws {
        for (segment, next) in zip(segments, segments.dropFirst()) {
            guard case .number = segment else { continue }
            let startsWithDigit: Bool
            switch next {
            case .literal(let bytes): startsWithDigit = (0x30...0x39).contains(bytes[0])
            case .number, .digits: startsWithDigit = true
            }
            if startsWithDigit {
                throw ReleaseError("tag format '\(pattern.clipped)' is ambiguous: a version number is followed by a digit",
                                   hint: "Put a separator such as '.' or '-' after each of {major}, {minor} and {patch}.")
            }
        }
    }

    private static func compileDate(_ format: String) throws -> [Segment] {
        guard !format.isEmpty else {
            throw ReleaseError("release.dateFormat is empty, so {date} would write nothing",
                               hint: "Set it to yyyy, yy, MM and dd with any separators, e.g. \(defaultDateFormat), or remove {date} from the format.")
        }
        var segments: [Segment] = []
        var rest = format[...]
        let tokens: [(String, Segment)] = [
            ("yyyy", .digits(.year, count: 4)), ("yy", .digits(.shortYear, count: 2)),
            ("MM", .digits(.month, count: 2)), ("dd", .digits(.day, count: 2)),
        ]
        next: while let first = rest.first {
            for (token, segment) in tokens where rest.hasPrefix(token) {
                segments.append(segment)
                rest = rest.dropFirst(token.count)
                continue next
            }
            guard !first.isLetter else {
                throw ReleaseError("date format '\(format.clipped)' has an unsupported letter '\(first)'",
                                   hint: "Use yyyy, yy, MM and dd with any separators, e.g. \(defaultDateFormat).")
            }
            segments.append(.literal(Array(String(first).utf8)))
            rest = rest.dropFirst()
        }
        return segments
    }
}

private func zeroPadded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
