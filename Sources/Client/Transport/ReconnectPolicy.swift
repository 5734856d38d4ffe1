import Foundation

/// Capped exponential backoff with jitter.
public struct ReconnectPolicy: Sendable, Equatable {
    public var initialDelay: Double
    public var maxDelay: Double
    public var multiplier: Double
    /// Fraction of the delay added or removed at random (0.2 = ±20 %).
    public var jitter: Double
    /// Give up after this many failed attempts in a row (nil: never).
    public var maxAttempts: Int?

    public init(
        initialDelay: Double = 0.5, maxDelay: Double = 15, multiplier: Double = 2, jitter: Double = 0.2,
        maxAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxAttempts = maxAttempts
    }

    /// The wait before attempt `attempt` (1-based), with `random` in 0…1 choosing the jitter.
    public func delay(attempt: Int, random: Double) -> Double {
        let base = min(maxDelay, initialDelay * pow(multiplier, Double(max(0, attempt - 1))))
        let spread = base * jitter * (random * 2 - 1)
        return max(0, min(maxDelay, base + spread))
    }
}
