extension Int {
    /// `value` rounded toward zero, or nil when it is not finite or lies outside `Int`'s range.
    ///
    /// `Int(_: Double)` traps on those, and any number a user types can reach a conversion.
    package init?(checking value: Double) {
        guard value.isFinite else { return nil }
        self.init(exactly: value.rounded(.towardZero))
    }

    /// `value` rounded toward zero and held to `Int`'s range; not-a-number counts as zero.
    package init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if let exact = Int(checking: value) {
            self = exact
        } else {
            self = value < 0 ? .min : .max
        }
    }
}
