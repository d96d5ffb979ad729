import Foundation

/// Where "now" comes from, so tests can fix it, and the local day of a moment. Days are
/// computed with the C library's local time, not Foundation's calendar: loading ICU for it
/// cost every command a few milliseconds at start-up.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    /// Seconds east of UTC at a moment.
    public var offset: @Sendable (Date) -> Int

    public init(now: @escaping @Sendable () -> Date, offset: @escaping @Sendable (Date) -> Int) {
        self.now = now
        self.offset = offset
    }

    /// The machine's clock in the local time zone (`TZ`, else the system's).
    public static let system = Clock(now: { Date() }, offset: { moment in
        var seconds = time_t(moment.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        return localtime_r(&seconds, &parts) == nil ? 0 : Int(parts.tm_gmtoff)
    })

    /// A clock stopped at one moment, for tests.
    public static func fixed(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Clock {
        Clock(now: { date }, offset: { timeZone.secondsFromGMT(for: $0) })
    }

    /// A clock stopped at one moment, `offset` seconds east of UTC.
    public static func fixed(_ date: Date, offset: Int) -> Clock {
        Clock(now: { date }, offset: { _ in offset })
    }

    /// Today's calendar date in the clock's time zone.
    public var today: ReleaseDate { day(of: now()) }

    /// The calendar date of a moment in the clock's time zone.
    public func day(of moment: Date) -> ReleaseDate {
        let seconds = Int((moment.timeIntervalSince1970).rounded(.down)) + offset(moment)
        return ReleaseDate(daysSince1970: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// Minutes east of UTC at this moment, as git records them in signatures.
    public var offsetMinutes: Int32 {
        Int32(offset(now()) / 60)
    }
}

/// A calendar day, as it appears in tag names.
public struct ReleaseDate: Equatable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...ReleaseDate.days(inMonth: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day a count of days since 1970-01-01 falls on (proleptic Gregorian calendar).
    init(daysSince1970 days: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    }

    /// Parses `YYYYMMDD`, the form `--date` takes.
    public init?(compact text: String) {
        let digits = Array(text.utf8)
        guard digits.count == 8, digits.allSatisfy({ (0x30...0x39).contains($0) }),
              let year = Int(text.prefix(4)), let month = Int(text.dropFirst(4).prefix(2)), let day = Int(text.suffix(2))
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: ReleaseDate, rhs: ReleaseDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = ReleaseDate(compact: text.replacingOccurrences(of: "-", with: "")) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
