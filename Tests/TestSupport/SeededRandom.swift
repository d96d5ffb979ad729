/// Numbers that are the same for the same seed (a linear congruential generator), so generated
/// histories and inputs are reproducible.
public struct SeededRandom {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    public mutating func next(upTo bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }
}
