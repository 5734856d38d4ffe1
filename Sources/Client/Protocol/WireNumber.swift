import ComfyJSON
import Foundation

/// Range checks for numbers that come from a server. Anything a server sends can be NaN, infinite or absurdly
/// large (Python's `json.dumps` writes `NaN` and `Infinity`, and a custom node can send any value), and Swift
/// traps on `Int(.nan)`, on `Int(1e20)` and on overflowing arithmetic. Every number from the wire goes through
/// one of these before it becomes an `Int`, a `Date` or a step count, so code past the decoders can do ordinary
/// arithmetic on it.
public enum WireNumber {
    /// The largest magnitude accepted for a count or a step (2^53: every integer up to it is exact in a Double,
    /// and sums and differences of two such values cannot overflow an Int).
    public static let maxMagnitude: Double = 9_007_199_254_740_992

    /// The latest timestamp accepted: 9999-12-31T23:59:59.999Z, in milliseconds since the epoch.
    public static let maxTimestampMS = 253_402_300_799_999

    /// A count (queue length, bytes of memory): a whole number in 0...2^53, or nil.
    public static func count(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        switch value {
        case .int(let i) where i >= 0 && Double(i) <= maxMagnitude: return i
        case .double(let d) where d.isFinite && d >= 0 && d <= maxMagnitude && d.rounded() == d: return Int(d)
        default: return nil
        }
    }

    /// A progress value or maximum: finite, within ±2^53, or nil.
    public static func step(_ value: JSONValue?) -> Double? {
        guard let d = value?.doubleValue else { return nil }
        return step(d)
    }

    /// `d` when it is finite and within ±2^53.
    public static func step(_ d: Double) -> Double? {
        d.isFinite && abs(d) <= maxMagnitude ? d : nil
    }

    /// A timestamp in milliseconds since the epoch, between 1970 and the year 9999; nil otherwise (so two of
    /// them can be subtracted, and a `Date` made of one, without surprises).
    public static func timestampMS(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        switch value {
        case .int(let i): return timestampMS(i)
        case .double(let d) where d.isFinite && d >= 0 && d <= Double(maxTimestampMS): return Int(d)
        default: return nil
        }
    }

    /// `ms` when it lies between 1970 and the year 9999.
    public static func timestampMS(_ ms: Int) -> Int? {
        (0...maxTimestampMS).contains(ms) ? ms : nil
    }

    /// A `Date` for a timestamp in milliseconds, when it is in range.
    public static func date(ms: Int?) -> Date? {
        guard let ms, let valid = timestampMS(ms) else { return nil }
        return Date(timeIntervalSince1970: Double(valid) / 1000)
    }

    /// A finite number within ±2^53 (larger ones are clamped, so their order is kept and `Int(_:)` of them is
    /// safe), or `fallback` for NaN and non-numbers (queue numbers, which only order items).
    public static func finite(_ value: JSONValue?, or fallback: Double) -> Double {
        guard let d = value?.doubleValue, !d.isNaN else { return fallback }
        return min(max(d, -maxMagnitude), maxMagnitude)
    }

    /// `Int(d)` when `d` is finite and fits (rounded toward zero); nil otherwise. For any Double→Int conversion
    /// of a value that came from outside.
    public static func int(_ d: Double) -> Int? {
        guard d.isFinite, abs(d) <= maxMagnitude else { return nil }
        return Int(d)
    }
}
