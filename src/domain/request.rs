//! What the customer asks for, and the desk's closed vocabularies around a request.

use super::labels::labelled_enum;

labelled_enum! {
    /// Why the customer cancels.
    pub enum CancelReason {
        SwitchingOperator => ("switching_operator", "Switching operator"),
        NoLongerNeeded => ("no_longer_needed", "No longer needed"),
        MovingAbroad => ("moving_abroad", "Moving abroad"),
        Cost => ("cost", "Cost"),
        ServiceQuality => ("service_quality", "Service quality"),
        Other => ("other", "Other"),
    }
}

labelled_enum! {
    /// What happens to the remaining balance.
    pub enum Settlement {
        Refund => ("refund", "Refund to a bank account"),
        Transfer => ("transfer", "Transfer to another number"),
        Forfeit => ("forfeit", "Forfeit"),
    }
}

labelled_enum! {
    /// How the application reached us.
    pub enum Channel {
        Web => ("web", "Web"),
        Hotline => ("hotline", "Hotline"),
        ServicePoint => ("service_point", "Service point"),
    }
}

labelled_enum! {
    pub enum LineType {
        Prepaid => ("prepaid", "Prepaid"),
        Postpaid => ("postpaid", "Postpaid"),
    }
}

labelled_enum! {
    /// How the customer prefers to hear from us.
    pub enum ContactChannel {
        Email => ("email", "E-mail"),
        Sms => ("sms", "SMS"),
    }
}

labelled_enum! {
    /// Why an application is rejected; the customer is told in plain words.
    pub enum RejectReason {
        IdentityNotVerified => ("identity_not_verified", "Identity not verified"),
        NotAccountHolder => ("not_account_holder", "Applicant is not the account holder"),
        OutstandingDebt => ("outstanding_debt", "Outstanding debt"),
        DuplicateRequest => ("duplicate_request", "Duplicate request"),
        SuspectedFraud => ("suspected_fraud", "Suspected fraud"),
        Other => ("other", "Other"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        for r in CancelReason::ALL {
            assert_eq!(CancelReason::parse(r.as_str()), Some(*r));
        }
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::parse(r.as_str()), Some(*r));
        }
        for s in Settlement::ALL {
            assert_eq!(Settlement::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Channel::parse("fax"), None);
    }
}
