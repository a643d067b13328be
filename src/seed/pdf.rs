//! Generated one-page PDFs (a proof of ownership letter), written by hand: a PDF this small needs
//! five objects and a cross-reference table, not a library.

pub fn proof_of_ownership(seed: u64) -> Vec<u8> {
    let lines = [
        "PT Demo Seluler - Proof of line ownership".to_string(),
        format!("Document number DEMO-{seed:06}"),
        "This letter confirms that the account holder named in the".to_string(),
        "application owns the mobile line and its account.".to_string(),
        "Generated demo document - not a real customer record.".to_string(),
    ];
    let mut text = String::from("BT /F1 14 Tf 56 780 Td 18 TL\n");
    for line in &lines {
        text.push_str(&format!(
            "({}) '\n",
            line.replace('\\', "\\\\")
                .replace('(', "\\(")
                .replace(')', "\\)")
        ));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}endstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::MediaType;

    #[test]
    fn pdfs_are_recognised_and_carry_their_xref() {
        let pdf = proof_of_ownership(7);
        assert_eq!(MediaType::sniff(&pdf), Some(MediaType::Pdf));
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[start..].starts_with("xref"));
    }
}
