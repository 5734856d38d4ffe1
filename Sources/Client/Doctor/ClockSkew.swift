import Foundation

/// How far the server's clock is from this machine's, from the `Date` header of one answer.
///
/// The header has whole seconds, and it was written somewhere between sending and receiving: the server's time
/// at the middle of the exchange is `date + 0.5 s` give or take half a second plus half the round trip.
public struct ClockSkew: Sendable, Equatable {
    /// Server minus local, in seconds (positive: the server is ahead).
    public var seconds: Double
    /// How sure: the estimate is right within this many seconds.
    public var uncertainty: Double

    public init(seconds: Double, uncertainty: Double) {
        self.seconds = seconds
        self.uncertainty = uncertainty
    }

    /// Skew beyond this (after the uncertainty) is worth a warning: times and durations read from the server's
    /// history (start, end, the "ago" of a run) and queue-wait figures drift by that much against local clocks.
    public static let tolerance: Double = 2

    public init?(dateHeader: String, sent: Date, received: Date) {
        guard let date = Self.parseHTTPDate(dateHeader), received >= sent else { return nil }
        let roundTrip = received.timeIntervalSince(sent)
        let middle = sent.addingTimeInterval(roundTrip / 2)
        seconds = date.timeIntervalSince(middle) + 0.5
        uncertainty = 0.5 + roundTrip / 2
    }

    /// True when the clocks differ by more than the tolerance, even at the edge of the uncertainty.
    public var isSignificant: Bool { abs(seconds) - uncertainty > Self.tolerance }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP servers send; the obsolete RFC 850 and
    /// asctime forms are not accepted (no server comfytop meets sends them).
    public static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", parts[0].hasSuffix(","),
            let day = Int(parts[1]), (1...31).contains(day),
            let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), (1970...9999).contains(year)
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]), let s = Int(clock[2]),
            (0..<24).contains(h), (0..<60).contains(m), (0...60).contains(s)
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month + 1
        components.day = day
        components.hour = h
        components.minute = m
        components.second = s
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        return calendar.date(from: components)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "3.2 s", "4 min 10 s", "2 h 5 min", "3 d".
    public static func describe(_ seconds: Double) -> String {
        let s = abs(seconds)
        guard s.isFinite else { return "?" }
        if s < 60 { return String(format: "%.1f s", s) }
        if s < 3600 { return "\(Int(s) / 60) min \(Int(s) % 60) s" }
        if s < 86_400 { return "\(Int(s) / 3600) h \(Int(s) % 3600 / 60) min" }
        return "\(Int(s / 86_400)) d"
    }
}
