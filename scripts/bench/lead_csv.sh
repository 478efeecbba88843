# Sourced by the lead import benchmarks (lead_import.sh, lead_import_floor.sh):
# the CSV they import, and their shared helpers.

# N deterministic rows (the same N gives the same rows) with the fields of
# crm::SyntheticLeadSource: 1 in 50 repeats an email from 7 rows before, 1 in
# 200 is not an email.
# generate_csv N > FILE
generate_csv() {
  awk -v n="$1" 'BEGIN {
    split("ES MX AR CO PE CL", C, " "); split("facebook web referral instagram", S, " ");
    split("fitness running shoes travel yoga", I, " ");
    print "email,name,phone,country,city,source,interests,birth_date,consent_email";
    for (i = 0; i < n; i++) {
      e = (i % 50 == 49 && i >= 7) ? i - 7 : i;
      email = (i % 200 == 199) ? "not-an-email-" i : "lead" e "@example" (e % 97) ".com";
      a = I[i % 5 + 1]; b = I[(int(i / 5) + 1) % 5 + 1];
      it = (a == b) ? a : (a < b ? a ";" b : b ";" a);
      printf "%s,Person %d,+34600%06d,%s,City %d,%s,%s,19%02d-0%d-1%d,%s\n", email, i, i % 1000000, C[i % 6 + 1],
        i % 300, S[i % 4 + 1], it, 60 + i % 40, 1 + i % 9, i % 10, (i % 3 ? "true" : "false");
    }
  }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
