# Writes the fixtures of internal/survey/estimate: the example data of R's survey package as
# CSV and the results of R's functions as JSON (expected.json), at full precision, plus the
# Hadamard matrices R uses for BRR (hadamard_table.go). Run through scripts/survey-fixtures.sh.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args)) args[1] else "internal/survey/estimate/testdata"
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
cat("survey", as.character(packageVersion("survey")), "\n")

data(api); data(nhanes); data(yrbs); data(scd)

## ---- data sets as CSV (numbers with 17 significant digits, NA empty) ----
csv <- function(df, name) {
  for (v in names(df)) {
    x <- df[[v]]
    if (is.numeric(x)) df[[v]] <- ifelse(is.na(x), "", sprintf("%.17g", x))
    else df[[v]] <- ifelse(is.na(x), "", as.character(x))
  }
  write.csv(df, file.path(dir, name), row.names = FALSE, quote = TRUE, na = "")
}
apicols <- c("cds", "stype", "dnum", "snum", "cname", "sch.wide", "api00", "api99", "enroll",
             "acs.k3", "meals", "pw", "fpc")
csv(apisrs[, apicols], "apisrs.csv")
csv(apistrat[, apicols], "apistrat.csv")
csv(apiclus1[, apicols], "apiclus1.csv")
## fractions and a made-up stratified two-stage population for apiclus2 / apistrat
n1 <- length(unique(apiclus2$dnum))
apiclus2$f1 <- n1 / apiclus2$fpc1
n2 <- ave(apiclus2$snum, apiclus2$dnum, FUN = function(s) length(unique(s)))
apiclus2$f2 <- n2 / apiclus2$fpc2
csv(apiclus2[, c("dnum", "snum", "stype", "sch.wide", "api00", "api99", "enroll", "acs.k3",
                 "pw", "fpc1", "fpc2", "f1", "f2")], "apiclus2.csv")
apistrat$N1 <- 3 * ave(apistrat$dnum, apistrat$stype, FUN = function(d) length(unique(d)))
apistrat$N2 <- 2 + 2 * ave(apistrat$snum, apistrat$stype, apistrat$dnum, FUN = length)
csv(apistrat[, c(apicols, "N1", "N2")], "apistrat2.csv")
csv(nhanes, "nhanes.csv")
csv(yrbs, "yrbs.csv")
csv(scd, "scd.csv")

## ---- expected values ----
out <- list()
add <- function(name, ...) out[[name]] <<- list(...)
vec <- function(x) as.vector(unlist(x))
stat <- function(name, s, df = NULL) {
  d <- attr(s, "deff")
  add(name, value = vec(coef(s)), se = vec(SE(s)),
      deff = if (is.null(d)) NULL else vec(if (is.matrix(d)) diag(d) else d),
      names = names(coef(s)), df = df)
}
ratio <- function(name, r) add(name, value = vec(coef(r)), se = vec(SE(r)),
                               deff = if (is.null(attr(r, "deff"))) NULL else vec(attr(r, "deff")))
byst <- function(name, b, nby) {
  keys <- do.call(paste, c(lapply(b[seq_len(nby)], as.character), sep = "|"))
  d <- tryCatch(deff(b), error = function(e) NULL)
  add(name, keys = keys, value = vec(coef(b)), se = vec(SE(b)),
      deff = if (is.null(d)) NULL else vec(d))
}
fails <- function(name, expr) {
  msg <- tryCatch({ force(expr); "" }, error = function(e) conditionMessage(e))
  add(name, error = msg)
}

## the usual estimates on a design of the api data
std <- function(p, des, tot = ~enroll) {
  stat(paste0(p, "/mean"), svymean(~api00, des, deff = TRUE))
  stat(paste0(p, "/total"), svytotal(tot, des, deff = TRUE, na.rm = TRUE))
  ratio(paste0(p, "/ratio"), svyratio(~api00, ~api99, des, deff = !inherits(des, "svyrep.design")))
  stat(paste0(p, "/prop"), svymean(~sch.wide, des, deff = TRUE))
  stat(paste0(p, "/levtot"), svytotal(~stype, des, deff = TRUE))
  add(paste0(p, "/degf"), value = degf(des))
}

dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
std("srs", dsrs)
dsrsw <- svydesign(id = ~1, weights = ~pw, data = apisrs)
std("srs_w", dsrsw)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
std("strat", dstrat)
dstratn <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
std("strat_nofpc", dstratn)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
std("clus1", dclus1)
dclus1n <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
std("clus1_nofpc", dclus1n)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
std("clus2", dclus2)
add("clus2/weights", value = weights(dclus2))
dclus2f <- svydesign(id = ~dnum + snum, fpc = ~f1 + f2, data = apiclus2)
std("clus2_frac", dclus2f)
dclus2w <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
std("clus2_w", dclus2w)
dclus2wf <- svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = apiclus2)
std("clus2_wfpc", dclus2wf)
## an fpc at stage 1 only (R: Inf at stage 2): stage 2 counts as sampled with replacement
options(survey.lonely.psu = "adjust")
apiclus2$inf <- Inf
dclus2i <- svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + inf, data = apiclus2)
std("clus2_inf", dclus2i)
options(survey.lonely.psu = "fail")
## districts with one sampled school are strata with one unit at stage 2
options(survey.lonely.psu = "remove")
dms <- svydesign(id = ~dnum + snum, strata = ~stype, fpc = ~N1 + N2, nest = TRUE, data = apistrat)
std("strat2", dms)
options(survey.lonely.psu = "adjust")
dmsw <- svydesign(id = ~dnum + snum, strata = ~stype, fpc = ~N1 + N2, weights = ~pw, nest = TRUE,
                  data = apistrat)
std("strat2_w", dmsw)
options(survey.lonely.psu = "fail")
fails("strat2_fail/mean", svymean(~api00, dms))

## na.rm
stat("clus2/mean_acsk3", svymean(~acs.k3, dclus2, na.rm = TRUE, deff = TRUE))
stat("clus1/mean_acsk3", svymean(~acs.k3, dclus1, na.rm = TRUE, deff = TRUE))
ratio("clus1/ratio_acsk3", svyratio(~acs.k3, ~api99, dclus1, na.rm = TRUE))

## nhanes and yrbs
dnh <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes)
stat("nhanes/mean", svymean(~HI_CHOL, dnh, na.rm = TRUE, deff = TRUE))
stat("nhanes/total", svytotal(~HI_CHOL, dnh, na.rm = TRUE, deff = TRUE))
stat("nhanes/prop", svymean(~agecat, dnh, deff = TRUE))
add("nhanes/degf", value = degf(dnh))
byst("nhanes/by_race", svyby(~HI_CHOL, ~race, dnh, svymean, na.rm = TRUE, deff = TRUE), 1)
byst("nhanes/by_race_agecat", svyby(~HI_CHOL, ~race + agecat, dnh, svymean, na.rm = TRUE), 2)
dyr <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = yrbs)
stat("yrbs/mean", svymean(~qn8, dyr, na.rm = TRUE, deff = TRUE))
add("yrbs/degf", value = degf(dyr))
dscd <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE, fpc = rep(5, 6))
ratio("scd/ratio", svyratio(~alive, ~arrests, dscd))
stat("scd/total", svytotal(~alive, dscd))

## lonely PSUs: counties of apistrat with a single school are strata with one PSU
for (rule in c("fail", "remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  dl <- svydesign(id = ~1, strata = ~cname, weights = ~pw, data = apistrat)
  dlc <- svydesign(id = ~dnum, strata = ~cname, weights = ~pw, nest = TRUE, data = apistrat)
  if (rule == "fail") {
    fails("lonely_fail/mean", svymean(~api00, dl))
    fails("lonely_fail_clus/mean", svymean(~api00, dlc))
  } else {
    stat(paste0("lonely_", rule, "/mean"), svymean(~api00, dl))
    stat(paste0("lonely_", rule, "/total"), svytotal(~enroll, dl))
    stat(paste0("lonely_", rule, "_clus/mean"), svymean(~api00, dlc))
    byst(paste0("lonely_", rule, "/by_stype"), svyby(~api00, ~stype, dl, svymean), 1)
    dj <- as.svrepdesign(dl, type = "JKn")
    stat(paste0("lonely_", rule, "_jkn/mean"), svymean(~api00, dj))
  }
}
options(survey.lonely.psu = "fail")
## strata with one PSU inside a domain only, with options(survey.adjust.domain.lonely = TRUE)
options(survey.adjust.domain.lonely = TRUE)
for (rule in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  dlc <- svydesign(id = ~dnum, strata = ~stype, weights = ~pw, nest = TRUE, data = apistrat)
  byst(paste0("lonelydom_", rule, "/by_cname"),
       suppressWarnings(svyby(~api00, ~cname, subset(dlc, cname %in% c("Alameda", "Fresno", "Kern", "Los Angeles", "Orange", "San Diego")), svymean)), 1)
}
options(survey.adjust.domain.lonely = FALSE, survey.lonely.psu = "fail")

## domains
byst("clus1/by_stype", svyby(~api00, ~stype, dclus1, svymean, deff = TRUE), 1)
byst("clus1/by_stype_schwide", svyby(~api00, ~stype + sch.wide, dclus1, svymean), 2)
byst("clus1/total_by_stype", svyby(~enroll, ~stype, dclus1, svytotal), 1)
byst("clus1/ratio_by_stype", svyby(~api00, ~stype, dclus1, svyratio, denominator = ~api99), 1)
byst("strat/by_schwide", svyby(~api00, ~sch.wide, dstrat, svymean), 1)
byst("clus2/by_stype", svyby(~api00, ~stype, dclus2, svymean), 1)
add("clus1/degf_E", value = degf(subset(dclus1, stype == "E")))

## confidence intervals
m <- svymean(~api00, dclus1)
add("clus1/ci_normal", value = as.vector(confint(m)))
add("clus1/ci_t", value = as.vector(confint(m, df = degf(dclus1))))
add("clus1/ci_t90", value = as.vector(confint(m, level = 0.9, df = degf(dclus1))))
expit <- function(x) 1 - 1 / (1 + exp(x))
ciprop <- function(p, des, f, yv) {
  for (lev in c(0.95, 0.9)) for (meth in c("beta", "mean", "xlogit", "asin", "logit")) {
    r <- svyciprop(f, des, method = meth, level = lev, na.rm = TRUE)
    add(sprintf("%s/ciprop_%s_%g", p, meth, lev), value = c(as.vector(r), SE(r), attr(r, "ci")))
  }
  ## the logit interval at convergence of the quasibinomial fit (R's default stops at 1e-8)
  for (lev in c(0.95, 0.9)) {
    des$variables$.y <- yv
    g <- svyglm(.y ~ 1, des, family = quasibinomial,
                control = glm.control(epsilon = 1e-15, maxit = 100))
    ci <- expit(confint(g, 1, level = lev, method = "Wald", ddf = degf(des)))
    add(sprintf("%s/ciprop_logitexact_%g", p, lev), value = c(expit(coef(g)), as.vector(ci)))
  }
}
ciprop("clus1", dclus1, ~I(sch.wide == "Yes"), as.numeric(apiclus1$sch.wide == "Yes"))
dH <- subset(dclus1, stype == "H")
ciprop("clus1_H", dH, ~I(sch.wide == "Yes"), as.numeric(dH$variables$sch.wide == "Yes"))
ciprop("nhanes", dnh, ~HI_CHOL, nhanes$HI_CHOL)

## post-stratification, raking, calibration
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = as.vector(table(apipop$sch.wide)))
add("pop/schwide", value = pop.schwide$Freq)
add("pop/api99", value = sum(apipop$api99))
ps <- postStratify(dclus1, ~stype, pop.types)
std("ps", ps)
byst("ps/by_schwide", svyby(~api00, ~sch.wide, ps, svymean), 1)
byst("ps/by_stype", svyby(~api00, ~stype, ps, svymean), 1)
stat("ps/mean_acsk3", svymean(~acs.k3, ps, na.rm = TRUE))
ps2 <- postStratify(dstrat, ~sch.wide, pop.schwide)
std("ps_strat", ps2)
rk <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
           control = list(maxit = 1000, epsilon = 1e-15))
std("rake", rk)
byst("rake/by_stype", svyby(~api00, ~stype, rk, svymean), 1)
add("rake/weights", value = weights(rk))
rkd <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
stat("rake_default/mean", svymean(~api00, rkd))
pop.cal <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = sum(apipop$api99))
cl <- calibrate(dclus1, ~stype + api99, pop.cal)
std("cal_linear", cl)
byst("cal_linear/by_stype", svyby(~api00, ~stype, cl, svymean), 1)
cr <- calibrate(dclus1, ~stype + api99, pop.cal, calfun = "raking", epsilon = 1e-13, maxit = 200)
std("cal_raking", cr)
byst("cal_raking/by_stype", svyby(~api00, ~stype, cr, svymean), 1)
cl2 <- calibrate(dclus2, ~stype, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018))
std("cal_clus2", cl2)

## replicate weights
jk1 <- as.svrepdesign(dclus1)
std("jk1", jk1)
byst("jk1/by_stype", svyby(~api00, ~stype, jk1, svymean), 1)
stat("jk1/mean_acsk3", svymean(~acs.k3, jk1, na.rm = TRUE))
jps <- postStratify(jk1, ~stype, pop.types)
std("jk1_ps", jps)
jrk <- rake(jk1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
            control = list(maxit = 1000, epsilon = 1e-15))
std("jk1_rake", jrk)
jcl <- calibrate(jk1, ~stype + api99, pop.cal)
std("jk1_cal", jcl)
jcr <- calibrate(jk1, ~stype + api99, pop.cal, calfun = "raking", epsilon = 1e-13, maxit = 200)
std("jk1_calrake", jcr)
jk1m <- as.svrepdesign(dclus1, mse = TRUE)
std("jk1_mse", jk1m)
jk1n <- as.svrepdesign(dclus1n)
std("jk1_nofpc", jk1n)
csv(as.data.frame(weights(jk1n, "analysis")), "apiclus1_jk1.csv")
ujk <- svrepdesign(data = apiclus1, repweights = weights(jk1n, "analysis"), weights = ~pw,
                   type = "JK1", scale = jk1n$scale, combined.weights = TRUE)
std("user_jk1", ujk)
jkn <- as.svrepdesign(dstrat, type = "JKn")
std("jkn", jkn)
jknn <- as.svrepdesign(dstratn, type = "JKn", mse = TRUE)
std("jkn_nofpc_mse", jknn)
## BRR needs two PSUs per stratum: the nhanes strata that have exactly two
two <- tapply(nhanes$SDMVPSU, nhanes$SDMVSTRA, function(x) length(unique(x))) == 2
nh2 <- nhanes[nhanes$SDMVSTRA %in% as.numeric(names(two)[two]), ]
dnh2 <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh2)
add("nhanes2/rows", value = as.numeric(rownames(nh2)))
brr <- as.svrepdesign(dnh2, type = "BRR")
stat("brr/mean", svymean(~HI_CHOL, brr, na.rm = TRUE, deff = TRUE))
byst("brr/by_race", svyby(~HI_CHOL, ~race, brr, svymean, na.rm = TRUE), 1)
add("brr/degf", value = degf(brr))
fay <- as.svrepdesign(dnh2, type = "Fay", fay.rho = 0.3)
stat("fay/mean", svymean(~HI_CHOL, fay, na.rm = TRUE, deff = TRUE))
stat("fay/total", svytotal(~HI_CHOL, fay, na.rm = TRUE))
fay2 <- as.svrepdesign(dnh2, type = "Fay", fay.rho = 0.3, mse = TRUE)
stat("fay_mse/mean", svymean(~HI_CHOL, fay2, na.rm = TRUE))
jknh <- as.svrepdesign(dnh, type = "JKn")
stat("jkn_nhanes/mean", svymean(~HI_CHOL, jknh, na.rm = TRUE))
ciprop("brr", brr, ~HI_CHOL, nh2$HI_CHOL)
repw <- 2 * cbind(c(1, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 1), c(0, 1, 1, 0, 0, 1), c(0, 1, 0, 1, 1, 0))
scdrep <- svrepdesign(data = scd, type = "BRR", repweights = repw, combined.weights = FALSE)
ratio("scd_brr/ratio", svyratio(~alive, ~arrests, scdrep))
stat("scd_brr/total", svytotal(~alive, scdrep))
scdrepm <- svrepdesign(data = scd, type = "BRR", repweights = repw, combined.weights = FALSE, mse = TRUE)
ratio("scd_brr_mse/ratio", svyratio(~alive, ~arrests, scdrepm))
scdo <- svrepdesign(data = scd, type = "other", repweights = repw, combined.weights = FALSE,
                    scale = 0.5, rscales = c(1, 0.5, 1, 2))
stat("scd_other/mean", svymean(~alive, scdo))
scdf <- svrepdesign(data = scd, type = "Fay", rho = 0.25,
                    repweights = repw * 0.75 + 0.25 * (2 - repw), combined.weights = FALSE)
stat("scd_fay/mean", svymean(~alive, scdf))

## BRR Hadamard matrices of R, for up to 100 strata (0/1 rows)
hd <- list(); idx <- integer(0)
for (n in 1:100) {
  H <- hadamard(n)
  key <- paste(apply(H, 1, paste, collapse = ""), collapse = ",")
  j <- match(key, names(hd))
  if (is.na(j)) { hd[[key]] <- H; j <- length(hd) }
  idx[n] <- j
}
con <- file(file.path(dir, "..", "hadamard_table.go"), "w")
writeLines(c("// Code generated by scripts/survey-fixtures.R from R's survey:::hadamard(); DO NOT EDIT.",
             "", "package estimate", "",
             "// hadamardIndex[n] is the index in hadamardTable of R's hadamard(n), n = 1..100.",
             paste0("var hadamardIndex = [...]int{0, ", paste(idx - 1, collapse = ", "), "}"), "",
             "// hadamardTable holds R's Hadamard matrices as rows of 0 and 1.",
             "var hadamardTable = [][]string{"), con)
for (key in names(hd)) {
  rows <- strsplit(key, ",")[[1]]
  writeLines(paste0("\t{", paste0('"', rows, '"', collapse = ", "), "},"), con)
}
writeLines("}", con)
close(con)

## ---- JSON ----
num <- function(x) {
  if (is.character(x)) return(paste0("[", paste0('"', x, '"', collapse = ","), "]"))
  x <- as.numeric(x)
  paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ","), "]")
}
lines <- character(0)
for (nm in names(out)) {
  f <- out[[nm]]
  f <- f[!sapply(f, is.null)]
  fields <- sapply(names(f), function(k) {
    if (k == "error") sprintf('"error":"%s"', gsub('"', "'", f[[k]]))
    else sprintf('"%s":%s', k, num(f[[k]]))
  })
  lines <- c(lines, sprintf('"%s":{%s}', nm, paste(fields, collapse = ",")))
}
writeLines(c("{", paste(lines, collapse = ",\n"), "}"), file.path(dir, "expected.json"))
cat("wrote", length(out), "results to", dir, "\n")
