# The speed set of issue #7 in R's survey package, on the data written by the Go test
# (scripts/survey-bench.sh): design, mean with SE, domain means for regions and
# region × age cells, raking to two margins, the same domain means on the raked design.
# Prints the elapsed seconds of each step and writes the results to r.json.
suppressMessages(library(survey))
dir <- commandArgs(trailingOnly = TRUE)[1]
reps <- as.integer(commandArgs(trailingOnly = TRUE)[2])
if (is.na(reps)) reps <- 1
df <- read.csv(file.path(dir, "data.csv"), colClasses = c("character", "character", "character", "character", "numeric", "numeric"))
mg <- read.csv(file.path(dir, "margins.csv"), colClasses = c("character", "character", "numeric"))
pop.region <- data.frame(region = mg$category[mg$margin == "region"], Freq = mg$total[mg$margin == "region"])
pop.age <- data.frame(age = mg$category[mg$margin == "age"], Freq = mg$total[mg$margin == "age"])
step <- function(label, expr) {
  t <- system.time(v <- force(expr))
  times[[label]] <<- c(times[[label]], t[["elapsed"]])
  cpu[[label]] <<- c(cpu[[label]], t[["user.self"]] + t[["sys.self"]])
  v
}
cpu <- list()
times <- list()
for (r in seq_len(reps)) {
  total <- system.time({
    d <- step("design", svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = df))
    m <- step("mean", svymean(~y, d))
    b1 <- step("by region", svyby(~y, ~region, d, svymean))
    b2 <- step("by region x age", svyby(~y, ~region + age, d, svymean))
    rk <- step("rake", rake(d, list(~region, ~age), list(pop.region, pop.age),
                            control = list(maxit = 100, epsilon = 1e-12)))
    r1 <- step("raked by region", svyby(~y, ~region, rk, svymean))
    r2 <- step("raked by region x age", svyby(~y, ~region + age, rk, svymean))
  })
  times[["total"]] <- c(times[["total"]], total[["elapsed"]])
  cpu[["total"]] <- c(cpu[["total"]], total[["user.self"]] + total[["sys.self"]])
}
for (k in names(times)) cat(sprintf("R %-24s %8.3f s elapsed, %8.3f s CPU (median of %d)\n", k,
                                    median(times[[k]]), median(cpu[[k]]), length(times[[k]])))
num <- function(x) paste0("[", paste(sprintf("%.17g", as.numeric(x)), collapse = ","), "]")
byj <- function(b, n) {
  keys <- do.call(paste, c(lapply(b[seq_len(n)], as.character), sep = "|"))
  sprintf('{"keys":[%s],"value":%s,"se":%s}', paste0('"', keys, '"', collapse = ","), num(coef(b)), num(SE(b)))
}
writeLines(c("{", sprintf('"mean":{"value":%s,"se":%s},', num(coef(m)), num(SE(m))),
             sprintf('"region":%s,', byj(b1, 1)), sprintf('"region_age":%s,', byj(b2, 2)),
             sprintf('"raked_region":%s,', byj(r1, 1)), sprintf('"raked_region_age":%s', byj(r2, 2)), "}"),
           file.path(dir, "r.json"))
