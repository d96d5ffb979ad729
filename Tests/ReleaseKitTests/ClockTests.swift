import Foundation
@testable import ReleaseKit
import Testing
import TestSupport

/// Days come from the C library's local time and a civil-date formula, not Foundation's
/// calendar: they must agree with it, and with `date`, everywhere.
@Suite(.scratchDirectory)
struct ClockTests {
    @Test func daysAgreeWithTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        let samples = [0, -1, 86_399, 86_400, 951_782_400, 4_107_542_400, -2_208_988_800]
            + (0..<2_000).map { _ in Int.random(in: -3_000_000_000...8_000_000_000, using: &generator) }
        for seconds in samples {
            for offset in [0, 3_600 * 14, -3_600 * 12, 19_800, -9_000] {
                let moment = Date(timeIntervalSince1970: TimeInterval(seconds))
                let parts = calendar.dateComponents([.year, .month, .day], from: moment.addingTimeInterval(TimeInterval(offset)))
                let day = Clock.fixed(moment, offset: offset).today
                #expect((day.year, day.month, day.day) == (parts.year!, parts.month!, parts.day!), "\(seconds) \(offset)")
            }
        }
    }

    @Test(arguments: ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "America/St_Johns"])
    func todayIsTheDayDateSaysInTheLocalTimeZone(_ zone: String) throws {
        let git = try GitRepository(at: Scratch.directory.appendingPathComponent("repo"))
        try git.commit("initial", file: "a.txt")
        try git.git("branch", "develop")
        try git.git("branch", "testing")
        var environment = git.environment
        environment["TZ"] = zone
        let before = try Command.run("/bin/date", ["+%Y%m%d"], environment: environment).stdout
        let tag = try ReleaseBinary.run(["next-version"], in: git.url, environment: environment).stdout
        let after = try Command.run("/bin/date", ["+%Y%m%d"], environment: environment).stdout
        let day = String(tag.dropLast().suffix(8))
        #expect(day + "\n" == before || day + "\n" == after, "\(zone): \(tag) vs \(before)")
    }
}
