import Foundation
import ReleaseKit
import Testing
import TestSupport

struct VersionTests {
    @Test func ordersByNumbersNotByText() {
        #expect(Version(1, 10, 0) > Version(1, 9, 0))
        #expect(Version(1, 9, 10) > Version(1, 9, 9))
        #expect(Version(10, 0, 0) > Version(9, 99, 99))
        #expect(Version(2, 0, 0) > Version(1, 99, 99))
        let shuffled = ["1.10.0", "1.9.0", "1.2.0", "0.0.1", "1.10.1", "10.0.0", "2.0.0"].compactMap(Version.init)
        #expect(shuffled.sorted().map(\.description) == ["0.0.1", "1.2.0", "1.9.0", "1.10.0", "1.10.1", "2.0.0", "10.0.0"])
    }

    @Test func everyBump() {
        let version = Version(1, 4, 7)
        #expect(version.bumped(.patch) == Version(1, 4, 8))
        #expect(version.bumped(.minor) == Version(1, 5, 0))
        #expect(version.bumped(.major) == Version(2, 0, 0))
    }

    @Test(arguments: ["1.2", "1.2.3.4", "01.2.3", "1.02.3", "-1.2.3", "1.2.x", "", "1..3", " 1.2.3", "1.2.3 "])
    func rejectsWhatIsNotAVersion(_ text: String) {
        #expect(Version(text) == nil)
    }

    @Test func parsesPlainVersions() {
        #expect(Version("0.0.0") == Version(0, 0, 0))
        #expect(Version("12.345.6789") == Version(12, 345, 6789))
    }
}

struct TagFormatTests {
    let day = ReleaseDate(year: 2020, month: 8, day: 14)!

    @Test func defaultFormatIsTheRunbooksOwn() throws {
        let format = try TagFormat()
        #expect(format.name(for: Version(1, 0, 5), on: day) == "release1.0.5-pro-20200814")
        #expect(format.version(of: "release1.0.5-pro-20200814") == Version(1, 0, 5))
        #expect(format.version(of: "release1.10.0-pro-20191231") == Version(1, 10, 0))
    }

    @Test(arguments: [
        "v1.3.7", "nightly", "release1.0.5", "release1.0.5-pro-2020081", "release1.0.5-pro-202008140",
        "release1.0-pro-20200814", "release01.0.5-pro-20200814", "release1.0.5-pre-20200814", "Release1.0.5-pro-20200814",
        "release1.0.5-pro-2020O814", "xrelease1.0.5-pro-20200814", "release1.0.5-pro-20200814x",
    ])
    func foreignTagsAreNotReleases(_ name: String) throws {
        #expect(try TagFormat().version(of: name) == nil)
    }

    @Test(arguments: [
        ("release{major}.{minor}.{patch}-pro-{date}", "yyyyMMdd"),
        ("v{major}.{minor}.{patch}", "yyyyMMdd"),
        ("{date}/app-{major}.{minor}.{patch}", "yyyy-MM-dd"),
        ("rel-{major}_{minor}_{patch}+{date}", "yyMMdd"),
        ("{major}.{minor}.{patch}", "yyyyMMdd"),
    ])
    func customFormatsRoundTrip(_ pattern: String, _ dateFormat: String) throws {
        let format = try TagFormat(pattern: pattern, dateFormat: dateFormat)
        for version in [Version(0, 0, 1), Version(1, 9, 0), Version(1, 10, 0), Version(12, 0, 345)] {
            for date in [day, ReleaseDate(year: 2001, month: 1, day: 9)!, ReleaseDate(year: 2099, month: 12, day: 31)!] {
                let name = format.name(for: version, on: date)
                #expect(format.version(of: name) == version, "\(name)")
            }
        }
    }

    /// The parser reads names byte by byte; a regular expression built from the same format is
    /// the oracle, over names made and then damaged at random (non-ASCII literals included).
    @Test(arguments: [
        ("release{major}.{minor}.{patch}-pro-{date}", "yyyyMMdd"),
        ("{date}/版本-{major}.{minor}.{patch}", "yyyy-MM-dd"),
        ("v{major}.{minor}.{patch}é", "yyMMdd"),
        ("{major}.{minor}.{patch}", "yyyyMMdd"),
    ])
    func parsingAgreesWithARegularExpression(_ pattern: String, _ dateFormat: String) throws {
        let format = try TagFormat(pattern: pattern, dateFormat: dateFormat)
        var expression = "^" + NSRegularExpression.escapedPattern(for: pattern) + "$"
        for (field, part) in [("major", "(0|[1-9][0-9]{0,8})"), ("minor", "(0|[1-9][0-9]{0,8})"),
                              ("patch", "(0|[1-9][0-9]{0,8})")] {
            expression = expression.replacingOccurrences(of: "\\{\(field)\\}", with: part)
        }
        let date = dateFormat.replacingOccurrences(of: "yyyy", with: "[0-9]{4}").replacingOccurrences(of: "yy", with: "[0-9]{2}")
            .replacingOccurrences(of: "MM", with: "[0-9]{2}").replacingOccurrences(of: "dd", with: "[0-9]{2}")
        expression = expression.replacingOccurrences(of: "\\{date\\}", with: date)
        let oracle = try NSRegularExpression(pattern: expression)
        func expected(_ name: String) -> Version? {
            let whole = NSRange(name.startIndex..., in: name)
            guard let match = oracle.firstMatch(in: name, range: whole) else { return nil }
            let parts = (1...3).map { Int((name as NSString).substring(with: match.range(at: $0)))! }
            return Version(parts[0], parts[1], parts[2])
        }
        var random = SeededRandom(seed: 7)
        let alphabet = "0123456789.-/é版pro".map { [$0] } + [[], ["0", "0"]]
        for _ in 0..<3_000 {
            let version = Version(random.next(upTo: 20), random.next(upTo: 120), random.next(upTo: 1_000_000_000))
            var name = Array(format.name(for: version, on: day))
            for _ in 0..<random.next(upTo: 3) where !name.isEmpty {
                let at = random.next(upTo: name.count)
                let character = alphabet[random.next(upTo: alphabet.count)]
                switch random.next(upTo: 3) {
                case 0: name.remove(at: at)
                case 1: name.insert(contentsOf: character, at: at)
                default: name.replaceSubrange(at...at, with: character)
                }
            }
            let text = String(name)
            #expect(format.version(of: text) == expected(text), "\(text)")
        }
    }

    @Test func customDateFormatIsWritten() throws {
        let format = try TagFormat(pattern: "app-{major}.{minor}.{patch}-{date}", dateFormat: "yyyy.MM.dd")
        #expect(format.name(for: Version(2, 1, 0), on: day) == "app-2.1.0-2020.08.14")
        let short = try TagFormat(pattern: "app-{major}.{minor}.{patch}-{date}", dateFormat: "yyMMdd")
        #expect(short.name(for: Version(2, 1, 0), on: ReleaseDate(year: 2005, month: 3, day: 1)!) == "app-2.1.0-050301")
    }

    @Test(arguments: [
        ("release{major}.{minor}", "yyyyMMdd"),
        ("release{major}.{minor}.{patch}.{build}", "yyyyMMdd"),
        ("release{major}.{minor}.{patch}.{patch}", "yyyyMMdd"),
        ("release{major}.{minor}.{patch", "yyyyMMdd"),
        ("release{major}{minor}.{patch}", "yyyyMMdd"),
        ("release{major}.{minor}.{patch}{date}", "yyyyMMdd"),
        ("release{major}.{minor}.{patch}-{date}", "yyyyMMddHH"),
    ])
    func rejectsFormatsItCouldNotReadBack(_ pattern: String, _ dateFormat: String) {
        #expect(throws: ReleaseError.self) { try TagFormat(pattern: pattern, dateFormat: dateFormat) }
    }
}

struct ReleaseDateTests {
    @Test func parsesCompactDatesStrictly() {
        #expect(ReleaseDate(compact: "20261121") == ReleaseDate(year: 2026, month: 11, day: 21))
        #expect(ReleaseDate(compact: "20240229") != nil)
        for bad in ["20230229", "20261301", "20261100", "2026112", "2026-11-21", "202611211", "abcdefgh", ""] {
            #expect(ReleaseDate(compact: bad) == nil, "\(bad)")
        }
    }

    @Test func clockGivesTheLocalDay() throws {
        // 2026-11-21 23:30 UTC is already the 22nd in Tokyo.
        let moment = Date(timeIntervalSince1970: 1_795_303_800)
        #expect(Clock.fixed(moment).today == ReleaseDate(year: 2026, month: 11, day: 21))
        #expect(Clock.fixed(moment, timeZone: TimeZone(identifier: "Asia/Tokyo")!).today == ReleaseDate(year: 2026, month: 11, day: 22))
    }
}

import Foundation
